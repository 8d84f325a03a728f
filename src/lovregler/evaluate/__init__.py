"""The evaluate stage: from checked rules to the obligations, rights and values of a citizen.

:mod:`~lovregler.evaluate.plan` flattens a checked ruleset and its versions into rule spans;
:mod:`~lovregler.evaluate.compile` writes a plan as Python source that calls only
:mod:`~lovregler.evaluate.runtime` (on the interval lists of
:mod:`~lovregler.evaluate.periods`); :mod:`~lovregler.evaluate.interpret` is the reference
interpreter, written independently, that the property tests hold the compiler to.
"""

"""lovregler — rules-as-code for Danish employment law.

The pipeline, one module per stage::

    grammar/lovregler.lark ─► parse.py ─► ast.py ─► check.py ─► compile.py ─► runtime (timecalc, periods)
                                                         └──────► interpret.py (reference oracle)

``load_ruleset`` (in ``api.py``) is the front object that ties the stages together.
"""

"""The vocabulary now lives in :mod:`lovregler.semantics.vocabulary`; this name is kept for
``evaluate/`` and ``history.py``, which still import ``lovregler.vocabulary`` (being reworked
on another branch); once they import the new path, this module goes.
"""

from .semantics.vocabulary import *  # noqa: F403

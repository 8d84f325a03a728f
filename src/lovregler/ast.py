"""The AST now lives in :mod:`lovregler.syntax.ast`; this name is kept for ``evaluate/``.

``lovregler.evaluate`` (being reworked on another branch) still imports ``from .. import
ast``; once it imports :mod:`lovregler.syntax.ast`, this module goes.
"""

from .syntax.ast import *  # noqa: F403

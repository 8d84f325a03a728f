"""Check a parsed rule file against the vocabulary: every mistake of a file in one run.

The checker reads the AST of :mod:`lovregler.syntax.ast` and the :class:`~lovregler.semantics.vocabulary.Vocabulary`
and returns a list of :class:`~lovregler.errors.Diagnostic` — it never raises on a bad rule
file, so an editor or ``lovregler check`` can show all problems at once. Each pass is a small
plain function that appends to a shared :class:`CheckContext`; the two entry points run them in
the order of :data:`VOCABULARY_PASSES` and :data:`RULESET_PASSES`.

Names are resolved by :mod:`lovregler.semantics` (a :class:`~lovregler.semantics.Names` in the
context), the one resolver the compiler, the interpreter and the prose use too; the checker
reports the names that resolve to nothing or to the wrong kind of thing.

The passes live in modules by what they check: :mod:`.context` (the walk and the context),
:mod:`.vocabulary_passes`, :mod:`.expressions` (values, types, one handler per expression
class), :mod:`.structure` (definitions, imports, versions), :mod:`.rules` and
:mod:`.examples` (examples, sources, unused definitions); this module runs them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from ..errors import Diagnostic, SourcePos
from ..semantics.vocabulary import Vocabulary
from ..syntax import ast
from .context import HOLDERS, CheckContext, _listing, _suggest, all_rules, narrow, walk
from .examples import (
    check_example_titles,
    check_examples,
    check_sources,
    check_unused,
    check_version_indentation,
)
from .expressions import VISITED_THROUGH, Scope
from .rules import check_rules, check_transitions
from .structure import (
    check_course,
    check_cycles,
    check_definitions,
    check_duplicate_definitions,
    check_duplicate_rules,
    check_extends,
    check_import,
    check_overrides,
    check_versions,
    definition_features,
    definition_references,
)
from .vocabulary_passes import (
    VOCABULARY_PASSES,
    VocabularyContext,
    _sorted,
    check_vocabulary,
    check_vocabulary_duplicates,
    check_vocabulary_fact_defaults,
    check_vocabulary_periods,
    check_vocabulary_required_when,
    check_vocabulary_types,
    check_vocabulary_words,
)

RULESET_PASSES: tuple[Callable[[CheckContext], None], ...] = (
    check_import,
    check_duplicate_definitions,
    check_cycles,
    check_duplicate_rules,
    check_extends,
    check_overrides,
    check_versions,
    check_definitions,
    check_course,
    check_rules,
    check_transitions,
    check_examples,
    check_sources,
    check_example_titles,
    check_version_indentation,
    check_unused,
)
"""The ruleset passes, in the order :func:`check_ruleset` runs them (unused comes last: it
reads what the others marked as used)."""


def check_ruleset(
    ruleset: ast.Ruleset,
    vocabulary: Vocabulary,
    *,
    base: ast.Ruleset | None,
    imports: tuple[str, ...],
    source: str,
    passes: Iterable[Callable[[CheckContext], None]] = RULESET_PASSES,
) -> list[Diagnostic]:
    """All problems of a ruleset, sorted by position; ``base`` is the ruleset it extends.

    ``passes`` are the passes to run (all of :data:`RULESET_PASSES` unless a caller, such as
    a unit test of one pass, wants fewer).

    >>> from lovregler.syntax.parse import parse_text
    >>> from lovregler.semantics.vocabulary import from_ast
    >>> vocab = from_ast(parse_text('ordforråd o "O" hændelse samtale "s"').vocabularies[0])
    >>> m = parse_text('importer o  ordning a "A"  pligt p "P" frist 1 uge efter første samtle '
    ...                'opfyldes af samtale hjemmel "Lov § 1"')
    >>> for d in check_ruleset(m.rulesets[0], vocab, base=None, imports=m.imports, source=m.source):
    ...     print(d.message, "-", d.hint)
    ukendt hændelsestype 'samtle' - mente du 'samtale'?
    """
    base = None if base is ruleset else base  # »udvider sig selv« is reported, not followed
    ctx = CheckContext(ruleset, vocabulary, base, imports, source)
    try:
        ctx.features = definition_features(ruleset, base)
        for check in passes:
            check(ctx)
    except RecursionError:
        # the passes recurse over expressions; an absurdly deep one must not become a traceback
        ctx.error(
            ruleset.pos,
            "ordningen indeholder et udtryk, der er for dybt indlejret",
            "del udtrykket op i navngivne tidslinjer, datoer eller mønstre",
        )
    return _sorted(ctx.diagnostics)


def check_imports(module: ast.Module, available: Iterable[str]) -> list[Diagnostic]:
    """Every ``importer NAME`` names a rule file that exists (``available``: the names of the
    ``.lov`` files beside the file and the bundled ones).

    >>> from lovregler.syntax.parse import parse_text
    >>> m = parse_text("importer ordforraad", "f.lov")
    >>> [(str(d.pos), d.message, d.hint) for d in check_imports(m, ["ordforråd", "fleksjob"])]
    [('f.lov:1:10', "der findes ingen regelfil 'ordforraad.lov'", "mente du 'ordforråd'?")]
    """
    names = sorted(set(available))
    found = []
    for match in re.finditer(r"(?m)^[ \t]*(?:importer|import)[ \t]+([^\W\d]\w*)", module.source):
        name = unicodedata.normalize("NFC", match.group(1))
        if name not in names:
            line = module.source.count("\n", 0, match.start(1)) + 1
            column = match.start(1) - module.source.rfind("\n", 0, match.start(1))
            pos = SourcePos(module.file, line, column, line, column + len(match.group(1)))
            hint = _suggest(name, names, f"filerne er: {_listing(names) or 'ingen'}")
            message = f"der findes ingen regelfil '{name}.lov'"
            found.append(Diagnostic(pos, message, hint, "error", module.source))
    return found


def check_ruleset_names(modules: Iterable[ast.Module]) -> list[Diagnostic]:
    """An ``ordning`` defined in more than one place (another file, or twice in one file): a
    warning at each later definition, for only one of them can be loaded by its name."""
    first: dict[str, ast.Ruleset] = {}
    found = []
    for module in modules:
        for ruleset in module.rulesets:
            earlier = first.setdefault(ruleset.name, ruleset)
            if earlier is not ruleset:
                found.append(
                    Diagnostic(
                        narrow(ruleset.pos, ruleset.name, module.source),
                        f"ordningen '{ruleset.name}' er også defineret i "
                        f"{earlier.pos.file}:{earlier.pos.line}",
                        "giv den ene ordning et andet navn",
                        "warning",
                        module.source,
                    )
                )
    return found


def check_module(
    module: ast.Module,
    vocabulary: Vocabulary | None,
    find_base: Callable[[str], ast.Ruleset | None] = lambda name: None,
    available: Iterable[str] | None = None,
) -> list[Diagnostic]:
    """All problems of a parsed rule file: its imports, its vocabularies and its rulesets.

    ``vocabulary`` is the imported vocabulary (None when the file only declares one);
    ``find_base`` finds a ruleset by name when one in the file extends another. A base in the
    same file is found there first. ``available`` (the rule files that can be imported), when
    given, has every import checked against it.
    """
    found = check_imports(module, available) if available is not None else []
    imports = module.imports
    if found and vocabulary is not None:
        imports = (*imports, vocabulary.name)  # the unknown import is reported once, above
    for node in module.vocabularies:
        found += check_vocabulary(node, module.source)
    local = {r.name: r for r in module.rulesets}
    if vocabulary is None:
        return found
    for ruleset in module.rulesets:
        base = None
        if ruleset.extends not in (None, ruleset.name):
            base = local.get(ruleset.extends) or find_base(ruleset.extends)
        found += check_ruleset(
            ruleset, vocabulary, base=base, imports=imports, source=module.source
        )
    return found


__all__ = [
    "CheckContext",
    "HOLDERS",
    "RULESET_PASSES",
    "Scope",
    "VISITED_THROUGH",
    "VOCABULARY_PASSES",
    "VocabularyContext",
    "all_rules",
    "check_course",
    "check_cycles",
    "check_definitions",
    "check_duplicate_definitions",
    "check_duplicate_rules",
    "check_example_titles",
    "check_examples",
    "check_extends",
    "check_import",
    "check_imports",
    "check_module",
    "check_overrides",
    "check_rules",
    "check_ruleset",
    "check_ruleset_names",
    "check_sources",
    "check_transitions",
    "check_unused",
    "check_version_indentation",
    "check_versions",
    "check_vocabulary",
    "check_vocabulary_duplicates",
    "check_vocabulary_fact_defaults",
    "check_vocabulary_periods",
    "check_vocabulary_required_when",
    "check_vocabulary_types",
    "check_vocabulary_words",
    "definition_features",
    "definition_references",
    "narrow",
    "walk",
]

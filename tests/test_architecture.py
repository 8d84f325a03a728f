"""The shape of the package: no import cycles, no module too long to read (issue 9).

Read from the source with :mod:`ast`, so a cycle through an import inside a function counts
too (it is a cycle all the same; only imports under ``if TYPE_CHECKING:`` are left out).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import typing
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import lovregler
from lovregler.syntax import ast as A

PACKAGE = Path(lovregler.__file__).parent
MAX_LINES = 600
"""About a screenful of screenfuls: a module over this is split by what it does."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for orelse in node.orelse for n in _import_nodes(orelse))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``module`` imports (``from . import x`` names module x)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        out |= {t for t in targets if t in known and t != module}
    return out


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _package_root_excluded(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # lovregler/__init__ re-exports the public API: every module may be reached from it,
    # and a module importing ``lovregler`` itself would be the cycle to find — so the
    # package root's own imports are left out, not the imports of it.
    return {m: (set() if m == "lovregler" else deps) for m, deps in graph.items()}


def test_the_cycle_finder_finds_a_cycle_and_only_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_relative_imports_are_resolved_to_modules() -> None:
    graph = import_graph()
    assert "lovregler.evaluate.plan" in graph["lovregler.evaluate.compile"]
    assert "lovregler.syntax.ast" in graph["lovregler.semantics.resolve"]
    assert "lovregler.semantics.resolve" in graph["lovregler.semantics"]


def test_no_import_cycles() -> None:
    assert cycles(_package_root_excluded(import_graph())) == []


# Modules still over the limit, to be split by what they do (issue 9); the test below also
# fails when one of them has become short enough, so the list only shrinks.
STILL_LONG: set[str] = set()


def test_no_module_is_too_long() -> None:
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in _modules().items()
    }
    too_long = {name for name, n in lengths.items() if n > MAX_LINES}
    assert too_long - STILL_LONG == set(), {n: lengths[n] for n in too_long - STILL_LONG}
    assert STILL_LONG - too_long == set(), "split: remove them from STILL_LONG"


# ───────────────────────────── every AST node class is handled by every stage ─────────────
def _members(union: object) -> set[type]:
    return set(typing.get_args(union)) or {union}  # type: ignore[arg-type]


def _expression_nodes() -> set[type]:
    """The node classes a rule is made of: conditions, operands, sets, dates, timelines,
    triggers and the three kinds of rule — each stage must say what it does with each."""
    unions = (A.BoolExpr, A.Operand, A.ValueSet, A.DateExpr, A.Timeline, A.Trigger, A.Rule)
    return set().union(*(_members(u) for u in unions))


# The other node classes: the structure around the expressions (files, rulesets, docs,
# vocabularies, examples), which each stage reads field by field.
STRUCTURE = {
    "AttrDeclNode", "AttrEquals", "AttrLength", "Course", "DateDef", "Deadline", "Docs", "Duration",
    "EnumDeclNode", "EventDeclNode", "EventWords", "Example", "ExampleEvent", "Excerpt",
    "Expect", "Expectation", "FactDeclNode", "LastingPeriodDeclNode", "MetBy", "Module", "Noun", "Pattern",
    "PatternDef", "PeriodDeclNode", "PeriodWords", "Rate", "Ruleset", "SetDef", "Source",
    "TimelineDef", "Transition", "TypeRef", "Validity", "Version", "VocabularyNode",
    "WeekValue", "Words",
}  # fmt: skip


def _node_classes() -> dict[str, type]:
    """Every public node class written in the ``ast`` package, by name, whichever of its
    modules holds it."""
    package = [A] + [
        importlib.import_module(f"{A.__name__}.{info.name}")
        for info in pkgutil.iter_modules(A.__path__)
    ]
    return {
        name: obj
        for module in package
        for name, obj in vars(module).items()
        if isinstance(obj, type)
        and attrs.has(obj)
        and obj.__module__ == module.__name__
        and not name.startswith("_")
    }


def test_every_node_class_is_an_expression_or_structure() -> None:
    # a new node class must be put in a union (then every stage must handle it) or here
    expressions = {cls.__name__ for cls in _expression_nodes()}
    assert set(_node_classes()) == expressions | STRUCTURE


def test_every_node_class_is_reached_from_the_ast_module() -> None:
    # the stages write ``ast.X``: a class written in one of the package's modules and not
    # re-exported would be a node no stage can name
    assert {name: getattr(A, name, None) for name in _node_classes()} == _node_classes()
    assert set(_node_classes()) <= set(A.__all__)


# The unions of syntax.ast whose classes a stage dispatches on: one table per union.
UNIONS = {
    "BoolExpr": A.BoolExpr,
    "Operand": A.Operand,
    "ValueSet": A.ValueSet,
    "DateExpr": A.DateExpr,
    "Timeline": A.Timeline,
    "Trigger": A.Trigger,
    "Rule": A.Rule,
}

# The stages that dispatch through tables (docs/contributing.rst, *One dispatch style*): each
# package has ``DISPATCH``, a mapping from each union of syntax.ast to its table
# ``dict[type, handler]``.
TABLE_STAGES = ["evaluate.interpret", "prose", "evaluate.compile"]


def _dispatch(stage: str) -> dict[object, typing.Mapping[type, object]]:
    return dict(importlib.import_module(f"lovregler.{stage}").DISPATCH)


@pytest.mark.parametrize("stage", TABLE_STAGES)
def test_each_stage_has_one_table_per_union(stage: str) -> None:
    tables = _dispatch(stage)
    assert set(tables) == set(UNIONS.values()), f"{stage}.DISPATCH: one table per union"


def _gaps(table: typing.Mapping[type, object], union: object) -> tuple[list[str], list[str]]:
    """The classes of ``union`` the table lacks, and the classes in it of no such union."""
    members = _members(union)
    missing = sorted(cls.__name__ for cls in members - set(table))
    stray = sorted(cls.__name__ for cls in set(table) - members)
    return missing, stray


@pytest.mark.parametrize("stage", TABLE_STAGES)
@pytest.mark.parametrize("union", sorted(UNIONS))
def test_every_class_of_a_union_has_a_handler(stage: str, union: str) -> None:
    # a class missing from a table is a case the stage forgot, found here instead of by a
    # user at run time (a KeyError); a class of another union in it is a mistake as well
    table = _dispatch(stage).get(UNIONS[union], {})
    assert _gaps(table, UNIONS[union]) == ([], []), f"{stage}: the {union} table"
    assert all(callable(handler) for handler in table.values())


# Second tables of a union in a stage (not in its DISPATCH) that must be complete as well.
SECOND_TABLES = [
    ("prose.sentences", "_ANCHORS", A.Trigger),
    # the compiler's gates (what a rule needs before it can give anything): a node class
    # added to the language must be read there too, not waved through
    ("evaluate.gates", "DATES", A.DateExpr),
    ("evaluate.gates", "TIMELINES", A.Timeline),
    ("evaluate.gates", "TRIGGERS", A.Trigger),
    ("evaluate.gates", "RULES", A.Rule),
]


@pytest.mark.parametrize(("module", "name", "union"), SECOND_TABLES)
def test_every_class_of_a_union_has_a_handler_in_second_tables(
    module: str, name: str, union: object
) -> None:
    table = getattr(importlib.import_module(f"lovregler.{module}"), name)
    assert _gaps(table, union) == ([], []), f"{module}.{name}"


def test_a_forgotten_or_stray_class_is_found() -> None:
    table = dict(_dispatch("prose")[A.Timeline])
    del table[A.TlAge]
    assert _gaps(table, A.Timeline) == (["TlAge"], [])
    table[A.TlAge], table[A.BoolAnd] = print, print
    assert _gaps(table, A.Timeline) == ([], ["BoolAnd"])


def test_every_expression_node_is_handled_by_the_checker() -> None:
    from lovregler.check import expressions as check

    handled = set(check._HANDLERS) | set(check.VISITED_THROUGH)
    assert _expression_nodes() - handled == set()
    assert set(check._HANDLERS) & set(check.VISITED_THROUGH) == set()


# ───────────────────────────── Danish explanation texts in one place ─────────────────────────
def _string_literals(module: str) -> set[str]:
    stage = f"lovregler.{module}"
    paths = [p for n, p in _modules().items() if n == stage or n.startswith(f"{stage}.")]
    return {
        node.value
        for path in paths
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_the_evaluators_take_their_notes_from_prose_explanations() -> None:
    # a note written out again in an evaluator is a copy that can drift from the other's
    from lovregler.prose import explanations

    notes = {v for k, v in vars(explanations).items() if k.isupper() and isinstance(v, str)}
    assert len(notes) >= 3
    assert notes & _string_literals("evaluate") == set()
    assert notes <= _string_literals("prose.explanations")


def test_every_package_ships_in_the_wheel() -> None:
    """pyproject.toml lists the packages by hand (grammar/ and rulesets/ come in through
    symlinks); a package left out would be missing from an installed wheel."""
    import tomllib

    pyproject = PACKAGE.parent.parent / "pyproject.toml"
    listed = set(tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(PACKAGE.parent).parts)
        for init in PACKAGE.glob("**/__init__.py")
    }
    assert on_disk - listed == set()

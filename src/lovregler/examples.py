"""Run the examples written in rule files as tests (``lovregler test``).

An example is a small history and, per ``pr. DATO forventes`` block, the entries expected as
of that date. For every rule an expectation block names, the evaluator's entries for that
rule must be exactly the ones listed (``ingen RULE``: none at all); rules the block does not
name are not checked. Failures point at the expectation's line in the rule file.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import attrs

from . import ast
from .api import Ruleset
from .errors import HistoryError, SourcePos
from .history import History
from .results import STATUS_DA, Result, iso

Evaluate = Callable[[History, datetime.date], Result]


@attrs.frozen
class Failure:
    """One expectation that did not hold, with where it is written."""

    pos: SourcePos
    example: str
    message: str

    def format(self) -> str:
        """``file:line:col: eksempel "…": message``."""
        return f'{self.pos}: eksempel "{self.example}": {self.message}'


def example_history(example: ast.Example, index: int) -> dict[str, object]:
    """The contract-form history of an example."""
    return {
        "id": f"eksempel-{index + 1}",
        "birth_date": example.born.isoformat(),
        "facts": {name: lit.value for name, lit in example.facts},
        "events": [
            {"type": ev.type, "date": ev.date.isoformat(), **{k: v.value for k, v in ev.attrs}}
            for ev in example.events
        ],
    }


def _entries_for(result: Result, rule: str) -> list[tuple[object, ...]]:
    obs = [
        ("obligation", str(o.status), iso(o.fulfilled_day), iso(o.due_day))
        for o in result.obligations
        if o.rule.id == rule
    ]
    rights = [
        ("right", iso(r.start_day), iso(r.until_day)) for r in result.rights if r.rule.id == rule
    ]
    values = [
        ("value", v.value, iso(v.start_day), iso(v.until_day))
        for v in result.values
        if v.rule.id == rule
    ]
    entries: list[tuple[object, ...]] = [*obs, *rights, *values]
    return entries


def _expected(item: ast.Expect) -> tuple[object, ...]:
    if item.kind == "obligation":
        return ("obligation", item.status, _iso(item.fulfilled_on), _iso(item.due))
    if item.kind == "right":
        return ("right", _iso(item.start), _iso(item.until))
    return ("value", item.value, _iso(item.start), _iso(item.until))


def _iso(d: datetime.date | None) -> str | None:
    return d.isoformat() if d else None


def _describe(entry: tuple[object, ...]) -> str:
    if entry[0] == "obligation":
        met = f" {entry[2]}" if entry[2] else ""
        return f"{STATUS_DA[str(entry[1])]}{met} frist {entry[3]}"
    if entry[0] == "right":
        return f"fra {entry[1]} til {entry[2] or 'åben'}"
    return f"værdien {entry[1]} fra {entry[2]} til {entry[3] or 'åben'}"


def check_expectation(result: Result, block: ast.Expectation, title: str) -> Iterator[Failure]:
    """Compare one ``pr. DATO forventes`` block with a result."""
    by_rule: dict[str, list[ast.Expect]] = {}
    for item in block.items:
        by_rule.setdefault(item.rule, []).append(item)
    for rule, items in by_rule.items():
        actual = _entries_for(result, rule)
        wanted = [_expected(i) for i in items if i.kind != "none"]
        if sorted(map(repr, actual)) == sorted(map(repr, wanted)):
            continue
        got = "; ".join(_describe(e) for e in actual) or "ingen"
        exp = "; ".join(_describe(e) for e in wanted) or "ingen"
        yield Failure(items[0].pos, title, f"{rule} pr. {block.as_of}: forventede {exp}, fik {got}")


def run_examples(ruleset: Ruleset, evaluate: Evaluate | None = None) -> tuple[int, list[Failure]]:
    """Run every example of the ruleset; returns (number of expectation blocks, failures)."""
    run = evaluate or ruleset.evaluate
    blocks = 0
    failures: list[Failure] = []
    for index, example in enumerate(ruleset.node.examples):
        try:
            history = ruleset.history(example_history(example, index))
        except HistoryError as err:
            failures.append(Failure(example.pos, example.title, f"ugyldig historik: {err}"))
            continue
        for block in example.expectations:
            blocks += 1
            failures += check_expectation(run(history, block.as_of), block, example.title)
    return blocks, failures

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

from .api import Ruleset
from .errors import HistoryError, SourcePos
from .history import History
from .results import STATUS_DA, Result, iso
from .syntax import ast

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


@attrs.frozen
class BlockResult:
    """One ``pr. DATO forventes`` block: how many expectation lines it has, how many failed,
    and a message per rule whose lines did not hold."""

    lines: int
    failed_lines: int
    failures: tuple[Failure, ...]


def _failed_lines(items: list[ast.Expect], actual: list[tuple[object, ...]]) -> int:
    """How many of one rule's expectation lines fail: each line must match an entry of its
    own; ``ingen`` fails when there is any; entries no line names fail the rule's first line."""
    remaining = list(map(repr, actual))
    failed = 0
    for item in items:
        if item.kind == "none":
            failed += bool(actual)
        elif repr(_expected(item)) in remaining:
            remaining.remove(repr(_expected(item)))
        else:
            failed += 1
    if remaining and failed == 0 and any(i.kind != "none" for i in items):
        failed = 1
    return failed


def check_block(result: Result, block: ast.Expectation, title: str) -> BlockResult:
    """Compare one ``pr. DATO forventes`` block with a result."""
    by_rule: dict[str, list[ast.Expect]] = {}
    for item in block.items:
        by_rule.setdefault(item.rule, []).append(item)
    failed_lines = 0
    failures = []
    for rule, items in by_rule.items():
        actual = _entries_for(result, rule)
        failed = _failed_lines(items, actual)
        if not failed:
            continue
        failed_lines += failed
        wanted = [_expected(i) for i in items if i.kind != "none"]
        got = "; ".join(_describe(e) for e in actual) or "ingen"
        exp = "; ".join(_describe(e) for e in wanted) or "ingen"
        message = f"{rule} pr. {block.as_of}: forventede {exp}, fik {got}"
        failures.append(Failure(items[0].pos, title, message))
    return BlockResult(len(block.items), failed_lines, tuple(failures))


def check_expectation(result: Result, block: ast.Expectation, title: str) -> Iterator[Failure]:
    """The failures of one ``pr. DATO forventes`` block."""
    yield from check_block(result, block, title).failures


@attrs.frozen
class ExampleReport:
    """What ``lovregler test`` found in one ruleset's examples."""

    examples: int
    failed_examples: int
    expectations: int
    failed_expectations: int
    failures: tuple[Failure, ...]


def example_report(ruleset: Ruleset, evaluate: Evaluate | None = None) -> ExampleReport:
    """Run every example of the ruleset; count examples and expectation lines, and which failed."""
    run = evaluate or ruleset.evaluate
    failed_examples = lines = failed_lines = 0
    failures: list[Failure] = []
    for index, example in enumerate(ruleset.node.examples):
        lines += sum(len(block.items) for block in example.expectations)
        try:
            history = ruleset.history(example_history(example, index))
        except HistoryError as err:
            failures.append(Failure(example.pos, example.title, f"ugyldig historik: {err}"))
            failed_examples += 1
            failed_lines += sum(len(block.items) for block in example.expectations)
            continue
        results = [
            check_block(run(history, block.as_of), block, example.title)
            for block in example.expectations
        ]
        failed_examples += any(r.failed_lines for r in results)
        failed_lines += sum(r.failed_lines for r in results)
        failures += [f for r in results for f in r.failures]
    return ExampleReport(
        len(ruleset.node.examples), failed_examples, lines, failed_lines, tuple(failures)
    )


def run_examples(ruleset: Ruleset, evaluate: Evaluate | None = None) -> tuple[int, list[Failure]]:
    """Run every example of the ruleset; returns (number of expectation blocks, failures)."""
    report = example_report(ruleset, evaluate)
    blocks = sum(len(example.expectations) for example in ruleset.node.examples)
    return blocks, list(report.failures)

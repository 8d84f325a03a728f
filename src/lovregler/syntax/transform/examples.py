"""The transformer's part for examples: a history and the results expected of it."""

from __future__ import annotations

import datetime

from lark import Token, v_args
from lark.tree import Meta

from .. import ast
from .base import NodeBuilder, nfc, to_date, unquote


@v_args(inline=True, meta=True)
class ExamplesToAst(NodeBuilder):
    """Examples: born, facts, events and expectations."""

    @v_args(meta=True)
    def example(self, meta: Meta, children: list[object]) -> ast.Example:
        title, born, facts, *rest = children
        return ast.Example(
            title=unquote(title),  # type: ignore[arg-type]
            born=to_date(born, self.file),  # type: ignore[arg-type]
            facts=tuple(facts) if facts else (),  # type: ignore[arg-type]
            events=tuple(r for r in rest if isinstance(r, ast.ExampleEvent)),
            expectations=tuple(r for r in rest if isinstance(r, ast.Expectation)),
            pos=self.p(meta),
        )

    @v_args(meta=True)
    def facts(self, meta: Meta, assigns: list[tuple[str, ast.Literal]]) -> list[object]:
        return assigns  # type: ignore[return-value]

    def fact_assign(self, meta: Meta, name: Token, value: ast.Literal) -> tuple[str, ast.Literal]:
        return (nfc(name), value)

    attr_assign = fact_assign

    @v_args(meta=True)
    def example_event(self, meta: Meta, children: list[object]) -> ast.ExampleEvent:
        date, name, *attrs = children
        return ast.ExampleEvent(
            date=to_date(date, self.file),  # type: ignore[arg-type]
            type=nfc(name),  # type: ignore[arg-type]
            attrs=tuple(attrs),  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    @v_args(meta=True)
    def expectation(self, meta: Meta, children: list[object]) -> ast.Expectation:
        as_of, *items = children
        return ast.Expectation(
            as_of=to_date(as_of, self.file),  # type: ignore[arg-type]
            items=tuple(items),  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def expect_obligation(
        self, meta: Meta, rule: Token, status: str, met: Token | None, due: Token
    ) -> ast.Expect:
        return ast.Expect(
            kind="obligation",
            rule=nfc(rule),
            status=status,
            fulfilled_on=to_date(met, self.file) if met else None,
            due=to_date(due, self.file),
            pos=self.p(meta),
        )

    def expect_right(self, meta: Meta, rule: Token, start: Token, until: object) -> ast.Expect:
        return ast.Expect(
            kind="right",
            rule=nfc(rule),
            start=to_date(start, self.file),
            until=until,  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def expect_value(
        self, meta: Meta, rule: Token, value: Token, start: Token, until: object
    ) -> ast.Expect:
        return ast.Expect(
            kind="value",
            rule=nfc(rule),
            value=int(value),
            start=to_date(start, self.file),
            until=until,  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def expect_none(self, meta: Meta, rule: Token) -> ast.Expect:
        return ast.Expect(kind="none", rule=nfc(rule), pos=self.p(meta))

    @v_args(meta=True)
    def until_date(self, meta: Meta, children: list[Token]) -> datetime.date | None:
        return to_date(children[0], self.file) if children else None

    def fulfilled(self, meta: Meta) -> str:
        return "fulfilled"

    def fulfilled_late(self, meta: Meta) -> str:
        return "fulfilled_late"

    def overdue(self, meta: Meta) -> str:
        return "overdue"

    def pending(self, meta: Meta) -> str:
        return "pending"

    def suspended(self, meta: Meta) -> str:
        return "suspended"

"""The transformer's part for the structure of a file: the file itself, rulesets,
versions, their documentation clauses and periods of force, definitions and the forløb."""

from __future__ import annotations

import datetime

import attrs
from lark import Token, v_args
from lark.tree import Meta

from .. import ast
from .base import NodeBuilder, make_duration, nfc, to_date, unquote


def split_docs(items: list[object]) -> tuple[ast.Docs, list[object]]:
    """Split documentation clauses off a list of children (in source order)."""
    citation = purpose = None
    interpretations: list[str] = []
    excerpts: list[ast.Excerpt] = []
    sources: list[ast.Source] = []
    rest: list[object] = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and item[0] in _DOC_KINDS:
            kind, text = item
            if kind == "citation":
                citation = text
            elif kind == "purpose":
                purpose = text
            else:
                interpretations.append(text)
        elif isinstance(item, ast.Source):
            sources.append(item)
        elif isinstance(item, ast.Excerpt):
            # a quote is from the nearest kilde before it (the first after it if none is)
            excerpts.append(attrs.evolve(item, source=sources[-1] if sources else None))
        else:
            rest.append(item)
    if sources:
        excerpts = [e if e.source else attrs.evolve(e, source=sources[0]) for e in excerpts]
    docs = ast.Docs(
        citation=citation,
        purpose=purpose,
        interpretations=tuple(interpretations),
        excerpts=tuple(excerpts),
        sources=tuple(sources),
    )
    return docs, rest


_DOC_KINDS = ("citation", "purpose", "interpretation")


@v_args(inline=True, meta=True)
class StructureToAst(NodeBuilder):
    """Files, rulesets, versions, documentation, periods of force, definitions, the forløb."""

    # ── files ──
    @v_args(meta=True)
    def start(self, meta: Meta, children: list[object]) -> ast.Module:
        imports = tuple(c for c in children if isinstance(c, str))
        vocabs = tuple(c for c in children if isinstance(c, ast.VocabularyNode))
        rulesets = tuple(c for c in children if isinstance(c, ast.Ruleset))
        return ast.Module(
            file=self.file,
            imports=imports,
            vocabularies=vocabs,
            rulesets=rulesets,
            pos=self.p(meta),
        )

    def import_stmt(self, meta: Meta, name: Token) -> str:
        return nfc(name)

    # ── rulesets ──
    @v_args(meta=True)
    def ruleset(self, meta: Meta, children: list[object]) -> ast.Ruleset:
        name, title, extends, *rest = children
        docs, rest = split_docs(rest)
        validity = [c for c in rest if isinstance(c, ast.Validity)]
        return ast.Ruleset(
            name=nfc(name),
            title=unquote(title),  # type: ignore[arg-type]
            extends=nfc(extends) if extends else None,
            docs=docs,
            validity=validity[0] if validity else None,
            definitions=tuple(c for c in rest if isinstance(c, ast.Definition)),  # type: ignore[arg-type]
            course=next((c for c in rest if isinstance(c, ast.Course)), None),
            rules=tuple(c for c in rest if isinstance(c, ast.Rule)),
            versions=tuple(c for c in rest if isinstance(c, ast.Version)),
            examples=tuple(c for c in rest if isinstance(c, ast.Example)),
            pos=self.p(meta),
        )

    @v_args(meta=True)
    def version(self, meta: Meta, children: list[object]) -> ast.Version:
        name, title, validity, *rest = children
        docs, rest = split_docs(rest)
        return ast.Version(
            name=nfc(name),
            title=unquote(title) if title else None,  # type: ignore[arg-type]
            validity=validity,  # type: ignore[arg-type]
            docs=docs,
            rules=tuple(rest),  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def citation(self, meta: Meta, text: Token) -> tuple[str, str]:
        return ("citation", unquote(text))

    def purpose(self, meta: Meta, text: Token) -> tuple[str, str]:
        return ("purpose", unquote(text))

    def interpretation(self, meta: Meta, text: Token) -> tuple[str, str]:
        return ("interpretation", unquote(text))

    def excerpt(self, meta: Meta, paraphrase: bool | None, text: Token) -> ast.Excerpt:
        return ast.Excerpt(text=unquote(text), paraphrase=bool(paraphrase), pos=self.p(meta))

    def paraphrase(self, meta: Meta, *_: Token) -> bool:
        return True

    def source(self, meta: Meta, text: Token) -> ast.Source:
        return ast.Source(address=unquote(text), pos=self.p(meta))

    def validity(self, meta: Meta, start: datetime.date, end: Token | None) -> ast.Validity:
        return ast.Validity(
            start=start, end=to_date(end, self.file) if end else None, pos=self.p(meta)
        )

    def validity_until(self, meta: Meta, end: Token) -> ast.Validity:
        return ast.Validity(start=None, end=to_date(end, self.file), pos=self.p(meta))

    def from_date(self, meta: Meta, tok: Token) -> datetime.date:
        return to_date(tok, self.file)

    # ── definitions ──
    def set_def(self, meta: Meta, name: Token, values: ast.SetLit) -> ast.SetDef:
        return ast.SetDef(name=nfc(name), values=values, pos=self.p(meta))

    def pattern_def(self, meta: Meta, name: Token, pattern: ast.Pattern) -> ast.PatternDef:
        return ast.PatternDef(name=nfc(name), pattern=pattern, pos=self.p(meta))

    def timeline_def(self, meta: Meta, name: Token, tl: ast.Timeline) -> ast.TimelineDef:
        return ast.TimelineDef(name=nfc(name), timeline=tl, pos=self.p(meta))

    def date_def(self, meta: Meta, name: Token, date: ast.DateExpr) -> ast.DateDef:
        return ast.DateDef(name=nfc(name), date=date, pos=self.p(meta))

    def course_when(self, meta: Meta, title: Token | None, tl: ast.Timeline) -> ast.Course:
        return ast.Course(title=unquote(title) if title else None, timeline=tl, pos=self.p(meta))

    def course_from(
        self,
        meta: Meta,
        title: Token | None,
        start: ast.Pattern,
        length: ast.Duration | ast.AttrLength | None,
        end: ast.Pattern | None,
    ) -> ast.Course:
        return ast.Course(
            title=unquote(title) if title else None,
            start=start,
            length=length,
            end=end,
            pos=self.p(meta),
        )

    def fixed_length(self, meta: Meta, n: Token, unit: str) -> ast.Duration:
        return make_duration([(int(n), unit)], self.p(meta))

    def attr_length(self, meta: Meta, name: Token, unit: str) -> ast.AttrLength:
        return ast.AttrLength(attr=nfc(name), unit=unit, pos=self.p(meta))

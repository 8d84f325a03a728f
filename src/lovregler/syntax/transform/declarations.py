"""The transformer's part for a vocabulary (``ordforråd``) and its declarations."""

from __future__ import annotations

from lark import Token, v_args
from lark.tree import Meta

from .. import ast
from .base import NodeBuilder, nfc, pos_of, unquote


@v_args(inline=True, meta=True)
class DeclarationsToAst(NodeBuilder):
    """A vocabulary: enums, event types and their attributes, facts, periods, and their words."""

    @v_args(meta=True)
    def vocabulary(self, meta: Meta, children: list[object]) -> ast.VocabularyNode:
        name, title, *items = children
        return ast.VocabularyNode(
            name=nfc(name),
            title=unquote(title),  # type: ignore[arg-type]
            enums=tuple(i for i in items if isinstance(i, ast.EnumDeclNode)),
            events=tuple(i for i in items if isinstance(i, ast.EventDeclNode)),
            facts=tuple(i for i in items if isinstance(i, ast.FactDeclNode)),
            periods=tuple(i for i in items if isinstance(i, ast.PeriodDeclNode)),
            lasting_periods=tuple(i for i in items if isinstance(i, ast.LastingPeriodDeclNode)),
            pos=self.p(meta),
        )

    @v_args(meta=True)
    def enum_decl(self, meta: Meta, children: list[object]) -> ast.EnumDeclNode:
        name, *values = children
        pairs: list[tuple[str, ast.Words | None]] = values  # type: ignore[assignment]
        return ast.EnumDeclNode(
            name=nfc(name),  # type: ignore[arg-type]
            values=tuple(value for value, _ in pairs),
            words=tuple((value, words) for value, words in pairs if words is not None),
            pos=self.p(meta),
        )

    def enum_value(
        self, meta: Meta, name: Token, text: Token | None
    ) -> tuple[str, ast.Words | None]:
        words = ast.Words(text=unquote(text), pos=self.p(meta)) if text is not None else None
        return nfc(name), words

    @v_args(meta=True)
    def event_decl(self, meta: Meta, children: list[object]) -> ast.EventDeclNode:
        name, title, words, *attrs = children
        return ast.EventDeclNode(
            name=nfc(name),  # type: ignore[arg-type]
            title=unquote(title),  # type: ignore[arg-type]
            attrs=tuple(attrs),  # type: ignore[arg-type]
            words=words,  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def event_words(
        self,
        meta: Meta,
        noun: ast.Noun,
        action: Token,
        object_: ast.Noun | None,
        subject: Token | None,
    ) -> ast.EventWords:
        return ast.EventWords(
            noun=noun,
            action=unquote(action),
            object=object_ or noun,
            subject=unquote(subject) if subject is not None else "hændelsen",
            pos=self.p(meta),
        )

    def noun(self, meta: Meta, singular: Token, plural: Token) -> ast.Noun:
        return ast.Noun(written=unquote(singular), plural=unquote(plural), pos=self.p(meta))

    def words(self, meta: Meta, text: Token, negated: Token | None) -> ast.Words:
        return ast.Words(
            text=unquote(text),
            negated=unquote(negated) if negated is not None else None,
            pos=self.p(meta),
        )

    def period_words(
        self, meta: Meta, noun: ast.Noun, first: Token, second: Token | None
    ) -> ast.PeriodWords:
        # a keyed period reads "… {key}" / "…" (one key, any key); an unkeyed one reads "…"
        if second is None:
            return ast.PeriodWords(noun=noun, reads=unquote(first), pos=self.p(meta))
        return ast.PeriodWords(
            noun=noun, reads=unquote(second), reads_keyed=unquote(first), pos=self.p(meta)
        )

    def attr_decl(
        self,
        meta: Meta,
        name: Token,
        optional: object,
        type_ref: ast.TypeRef,
        limit: Token | None,
        words: ast.Words | None,
        when_attr: Token | None,
        when_value: Token | None,
    ) -> ast.AttrDeclNode:
        required_when = (nfc(when_attr), nfc(when_value)) if when_attr and when_value else None
        return ast.AttrDeclNode(
            name=nfc(name),
            type=type_ref,
            optional=optional is not None,
            limit_text=unquote(limit) if limit else None,
            required_when=required_when,
            words=words,
            pos=self.p(meta),
        )

    def optional(self, meta: Meta) -> bool:
        return True

    def bool_type(self, meta: Meta) -> ast.TypeRef:
        return ast.TypeRef(kind="bool", pos=self.p(meta))

    def int_type(self, meta: Meta, lo: Token | None, hi: Token | None) -> ast.TypeRef:
        return ast.TypeRef(
            kind="int",
            minimum=int(lo) if lo is not None else None,
            maximum=int(hi) if hi is not None else None,
            pos=self.p(meta),
        )

    def text_type(self, meta: Meta) -> ast.TypeRef:
        return ast.TypeRef(kind="text", pos=self.p(meta))

    def enum_type(self, meta: Meta, name: Token) -> ast.TypeRef:
        return ast.TypeRef(kind="enum", enum=nfc(name), pos=self.p(meta))

    def fact_decl(
        self,
        meta: Meta,
        name: Token,
        type_ref: ast.TypeRef,
        default: ast.Literal,
        words: ast.Words | None,
    ) -> ast.FactDeclNode:
        return ast.FactDeclNode(
            name=nfc(name), type=type_ref, default=default, words=words, pos=self.p(meta)
        )

    def period_decl(
        self,
        meta: Meta,
        name: Token,
        start: Token,
        end: Token,
        key: Token | None,
        words: ast.PeriodWords | None,
    ) -> ast.PeriodDeclNode:
        return ast.PeriodDeclNode(
            name=nfc(name),
            start=nfc(start),
            end=nfc(end),
            key=nfc(key) if key else None,
            words=words,
            pos=self.p(meta),
        )

    def lasting_period_decl(
        self,
        meta: Meta,
        name: Token,
        start: Token,
        attr: Token | None,
        value: Token | None,
        length_attr: Token,
        unit: str,
        words: ast.PeriodWords | None,
    ) -> ast.LastingPeriodDeclNode:
        condition = None
        if attr is not None and value is not None:
            condition = ast.AttrEquals(
                attr=nfc(attr),
                value=nfc(value),
                pos=pos_of(self.file, attr),
                value_pos=pos_of(self.file, value),
            )
        return ast.LastingPeriodDeclNode(
            name=nfc(name),
            start=nfc(start),
            condition=condition,
            length=ast.AttrLength(
                attr=nfc(length_attr), unit=unit, pos=pos_of(self.file, length_attr)
            ),
            words=words,
            pos=self.p(meta),
        )

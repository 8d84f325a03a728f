"""Parse rule files into the AST.

The grammar (``grammar/lovregler.lark``) is loaded once per process with Lark's LALR parser,
the contextual lexer, ``strict=True`` (a conflict in the grammar is an error, not a silent
choice) and a grammar cache (:mod:`lovregler.cache`). A :class:`ToAst` transformer turns
the parse tree into the frozen nodes of :mod:`lovregler.syntax.ast`, each with its source position.

Syntax errors become :class:`~lovregler.errors.RuleSyntaxError` with file:line:col, the
source line, a caret and a hint. The hint comes from Lark's ``match_examples``: a table of
known mistakes (``SYNTAX_EXAMPLES``) labelled with friendly Danish messages.
"""

from __future__ import annotations

import datetime
import unicodedata
from pathlib import Path
from typing import NoReturn

import attrs
import lark
from lark import Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.tree import Meta

from ..errors import Diagnostic, RuleSyntaxError, SourcePos
from . import ast
from .lark_parser import parser
from .syntax_errors import position, syntax_diagnostic

_UNIT_TO_DURATION = {"days": (0, 1), "weeks": (0, 7), "months": (1, 0), "years": (12, 0)}


def _pos_of(file: str, meta: Meta | Token) -> SourcePos:
    line = getattr(meta, "line", 0) or 0
    column = getattr(meta, "column", 0) or 0
    return SourcePos(
        file,
        line,
        column,
        getattr(meta, "end_line", line) or line,
        getattr(meta, "end_column", column) or column,
    )


def _date(tok: Token, file: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(str(tok))
    except ValueError:
        diag = Diagnostic(
            _pos_of(file, tok),
            f"{tok} er ikke en gyldig dato",
            "skriv datoen som ÅÅÅÅ-MM-DD med en dag, der findes i måneden",
        )
        raise RuleSyntaxError([diag]) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        # far from the calendar's ends (year 1 and 9999), so that date arithmetic on it
        # (a frist, a shift of up to 100 years) never falls off the calendar
        _too_big(
            _pos_of(file, tok),
            f"datoen {tok} ligger uden for årene {YEARS[0]}–{YEARS[1]}",
            "regler og eksempler handler om nutidige datoer",
        )
    return day


#: The years a date in a rule file may have; see :data:`MAX_DURATION_YEARS` for why.
YEARS = (1800, 2199)
#: The longest duration (frist, varer, gentages, ...) in a rule file, and the oldest age.
MAX_DURATION_YEARS = 100
MAX_AGE = 150
#: The most shifts (``+ 3 måneder``) in one date expression.
MAX_SHIFTS = 10


def _too_big(pos: SourcePos, message: str, hint: str) -> NoReturn:
    raise RuleSyntaxError([Diagnostic(pos, message, hint)])


def _string(tok: Token) -> str:
    text = str(tok)
    if text.startswith('"""'):
        return text[3:-3]
    body = text[1:-1]
    # Only \" and \\ are escapes; other backslashes stay as written (legal text may hold them).
    return body.replace('\\"', '"').replace("\\\\", "\\")


def _docs(items: list[object]) -> tuple[ast.Docs, list[object]]:
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
class ToAst(Transformer):  # type: ignore[type-arg]
    """Build :mod:`lovregler.syntax.ast` nodes from Lark's tree, with positions."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def p(self, meta: Meta) -> SourcePos:
        """The source position of a tree node."""
        return _pos_of(self.file, meta)

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
        return _nfc(name)

    # ── vocabulary ──
    @v_args(meta=True)
    def vocabulary(self, meta: Meta, children: list[object]) -> ast.VocabularyNode:
        name, title, *items = children
        return ast.VocabularyNode(
            name=_nfc(name),
            title=_string(title),  # type: ignore[arg-type]
            enums=tuple(i for i in items if isinstance(i, ast.EnumDeclNode)),
            events=tuple(i for i in items if isinstance(i, ast.EventDeclNode)),
            facts=tuple(i for i in items if isinstance(i, ast.FactDeclNode)),
            periods=tuple(i for i in items if isinstance(i, ast.PeriodDeclNode)),
            pos=self.p(meta),
        )

    @v_args(meta=True)
    def enum_decl(self, meta: Meta, children: list[object]) -> ast.EnumDeclNode:
        name, *values = children
        pairs: list[tuple[str, ast.Words | None]] = values  # type: ignore[assignment]
        return ast.EnumDeclNode(
            name=_nfc(name),  # type: ignore[arg-type]
            values=tuple(value for value, _ in pairs),
            words=tuple((value, words) for value, words in pairs if words is not None),
            pos=self.p(meta),
        )

    def enum_value(
        self, meta: Meta, name: Token, text: Token | None
    ) -> tuple[str, ast.Words | None]:
        words = ast.Words(text=_string(text), pos=self.p(meta)) if text is not None else None
        return _nfc(name), words

    @v_args(meta=True)
    def event_decl(self, meta: Meta, children: list[object]) -> ast.EventDeclNode:
        name, title, words, *attrs = children
        return ast.EventDeclNode(
            name=_nfc(name),  # type: ignore[arg-type]
            title=_string(title),  # type: ignore[arg-type]
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
            action=_string(action),
            object=object_ or noun,
            subject=_string(subject) if subject is not None else "hændelsen",
            pos=self.p(meta),
        )

    def noun(self, meta: Meta, singular: Token, plural: Token) -> ast.Noun:
        return ast.Noun(written=_string(singular), plural=_string(plural), pos=self.p(meta))

    def words(self, meta: Meta, text: Token, negated: Token | None) -> ast.Words:
        return ast.Words(
            text=_string(text),
            negated=_string(negated) if negated is not None else None,
            pos=self.p(meta),
        )

    def period_words(
        self, meta: Meta, noun: ast.Noun, first: Token, second: Token | None
    ) -> ast.PeriodWords:
        # a keyed period reads "… {key}" / "…" (one key, any key); an unkeyed one reads "…"
        if second is None:
            return ast.PeriodWords(noun=noun, reads=_string(first), pos=self.p(meta))
        return ast.PeriodWords(
            noun=noun, reads=_string(second), reads_keyed=_string(first), pos=self.p(meta)
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
        required_when = (_nfc(when_attr), _nfc(when_value)) if when_attr and when_value else None
        return ast.AttrDeclNode(
            name=_nfc(name),
            type=type_ref,
            optional=optional is not None,
            limit_text=_string(limit) if limit else None,
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
        return ast.TypeRef(kind="enum", enum=_nfc(name), pos=self.p(meta))

    def fact_decl(
        self,
        meta: Meta,
        name: Token,
        type_ref: ast.TypeRef,
        default: ast.Literal,
        words: ast.Words | None,
    ) -> ast.FactDeclNode:
        return ast.FactDeclNode(
            name=_nfc(name), type=type_ref, default=default, words=words, pos=self.p(meta)
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
            name=_nfc(name),
            start=_nfc(start),
            end=_nfc(end),
            key=_nfc(key) if key else None,
            words=words,
            pos=self.p(meta),
        )

    # ── rulesets ──
    @v_args(meta=True)
    def ruleset(self, meta: Meta, children: list[object]) -> ast.Ruleset:
        name, title, extends, *rest = children
        docs, rest = _docs(rest)
        validity = [c for c in rest if isinstance(c, ast.Validity)]
        return ast.Ruleset(
            name=_nfc(name),
            title=_string(title),  # type: ignore[arg-type]
            extends=_nfc(extends) if extends else None,
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
        docs, rest = _docs(rest)
        return ast.Version(
            name=_nfc(name),
            title=_string(title) if title else None,  # type: ignore[arg-type]
            validity=validity,  # type: ignore[arg-type]
            docs=docs,
            rules=tuple(rest),  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def citation(self, meta: Meta, text: Token) -> tuple[str, str]:
        return ("citation", _string(text))

    def purpose(self, meta: Meta, text: Token) -> tuple[str, str]:
        return ("purpose", _string(text))

    def interpretation(self, meta: Meta, text: Token) -> tuple[str, str]:
        return ("interpretation", _string(text))

    def excerpt(self, meta: Meta, paraphrase: bool | None, text: Token) -> ast.Excerpt:
        return ast.Excerpt(text=_string(text), paraphrase=bool(paraphrase), pos=self.p(meta))

    def paraphrase(self, meta: Meta, *_: Token) -> bool:
        return True

    def source(self, meta: Meta, text: Token) -> ast.Source:
        return ast.Source(address=_string(text), pos=self.p(meta))

    def validity(self, meta: Meta, start: datetime.date, end: Token | None) -> ast.Validity:
        return ast.Validity(
            start=start, end=_date(end, self.file) if end else None, pos=self.p(meta)
        )

    def validity_until(self, meta: Meta, end: Token) -> ast.Validity:
        return ast.Validity(start=None, end=_date(end, self.file), pos=self.p(meta))

    def from_date(self, meta: Meta, tok: Token) -> datetime.date:
        return _date(tok, self.file)

    # ── definitions ──
    def set_def(self, meta: Meta, name: Token, values: ast.SetLit) -> ast.SetDef:
        return ast.SetDef(name=_nfc(name), values=values, pos=self.p(meta))

    def pattern_def(self, meta: Meta, name: Token, pattern: ast.Pattern) -> ast.PatternDef:
        return ast.PatternDef(name=_nfc(name), pattern=pattern, pos=self.p(meta))

    def timeline_def(self, meta: Meta, name: Token, tl: ast.Timeline) -> ast.TimelineDef:
        return ast.TimelineDef(name=_nfc(name), timeline=tl, pos=self.p(meta))

    def date_def(self, meta: Meta, name: Token, date: ast.DateExpr) -> ast.DateDef:
        return ast.DateDef(name=_nfc(name), date=date, pos=self.p(meta))

    def course_when(self, meta: Meta, title: Token | None, tl: ast.Timeline) -> ast.Course:
        return ast.Course(title=_string(title) if title else None, timeline=tl, pos=self.p(meta))

    def course_from(
        self,
        meta: Meta,
        title: Token | None,
        start: ast.Pattern,
        length: ast.Duration | ast.AttrLength | None,
        end: ast.Pattern | None,
    ) -> ast.Course:
        return ast.Course(
            title=_string(title) if title else None,
            start=start,
            length=length,
            end=end,
            pos=self.p(meta),
        )

    def fixed_length(self, meta: Meta, n: Token, unit: str) -> ast.Duration:
        return _duration([(int(n), unit)], self.p(meta))

    def attr_length(self, meta: Meta, name: Token, unit: str) -> ast.AttrLength:
        return ast.AttrLength(attr=_nfc(name), unit=unit, pos=self.p(meta))

    # ── rules ──
    @v_args(meta=True)
    def obligation(self, meta: Meta, children: list[object]) -> ast.Rule:
        return self._rule("obligation", meta, children)

    @v_args(meta=True)
    def right(self, meta: Meta, children: list[object]) -> ast.Rule:
        return self._rule("right", meta, children)

    @v_args(meta=True)
    def value(self, meta: Meta, children: list[object]) -> ast.Rule:
        return self._rule("value", meta, children)

    def _rule(self, kind: str, meta: Meta, children: list[object]) -> ast.Rule:
        name, title, *clauses = children
        docs, clauses = _docs(clauses)
        fields: dict[str, object] = {}
        implied: object = None  # the trigger of "frist N efter <udløser>"
        for clause in clauses:
            if isinstance(clause, ast.Validity):
                fields["validity"] = clause
                continue
            key: str = clause[0]  # type: ignore[index]
            val: object = clause[1]  # type: ignore[index]
            if key == "__many__":
                fields["deadline"] = val["deadline"]  # type: ignore[index]
                implied = val["trigger"]  # type: ignore[index]
            else:
                fields[key] = val
        self._merge_trigger(fields, implied)
        if kind == "obligation":
            _default_trigger(fields)
        cls = ast.RULE_CLASSES[kind]
        own = {f.name for f in attrs.fields(cls)}
        stray = tuple(key for key in fields if key not in own)  # reported by the checker
        return cls(  # type: ignore[misc]
            id=_nfc(name),
            stray=stray,
            title=_string(title),  # type: ignore[arg-type]
            docs=docs,
            pos=self.p(meta),
            **{key: value for key, value in fields.items() if key in own},  # type: ignore[arg-type]
        )

    def _merge_trigger(self, fields: dict[str, object], implied: object) -> None:
        """``frist N efter X`` names the trigger X, unless X is ``udløsningsdagen`` (then the
        trigger comes from ``udløses af``). Naming a trigger in both places is an error."""
        if implied is None or (
            isinstance(implied, ast.AtDate) and isinstance(implied.date, ast.TriggerDate)
        ):
            return
        if "trigger" in fields:
            pos = fields["deadline"].pos  # type: ignore[attr-defined]
            diag = Diagnostic(
                pos,
                "reglen har både »udløses af« og en frist efter en anden dag",
                "skriv »frist N efter udløsningsdagen« sammen med »udløses af«",
            )
            raise RuleSyntaxError([diag])
        fields["trigger"] = implied

    def holder(self, meta: Meta, name: Token) -> tuple[str, str]:
        return ("holder", _nfc(name))

    def per_citizen(self, meta: Meta) -> tuple[str, bool]:
        return ("per_citizen", True)

    def overrides(self, meta: Meta) -> tuple[str, bool]:
        return ("overrides", True)

    def trigger(self, meta: Meta, spec: object) -> tuple[str, ast.Trigger]:
        return ("trigger", _as_trigger(spec, self.p(meta)))

    def due_after(
        self, meta: Meta, duration: ast.Duration, convention: str | None, spec: object
    ) -> tuple[str, dict[str, object]]:
        deadline = ast.Deadline(
            after=duration, convention=convention or "standard", pos=self.p(meta)
        )
        return ("__many__", {"deadline": deadline, "trigger": _as_trigger(spec, self.p(meta))})

    def due_at(
        self, meta: Meta, date: ast.DateExpr, convention: str | None
    ) -> tuple[str, ast.Deadline]:
        return (
            "deadline",
            ast.Deadline(at=date, convention=convention or "standard", pos=self.p(meta)),
        )

    def ultimo(self, meta: Meta) -> str:
        return "ultimo"

    def hverdag(self, meta: Meta) -> str:
        return "hverdag"

    def met_by(
        self, meta: Meta, count: Token | None, pattern: ast.Pattern, extra: object
    ) -> tuple[str, ast.MetBy]:
        # extra: the ALSO_EARLIER token, a ("since", date) pair, or None
        since = extra[1] if isinstance(extra, tuple) else None
        met = ast.MetBy(
            pattern=pattern,
            count=int(count) if count is not None else 1,
            also_earlier=isinstance(extra, Token),
            since=since,  # type: ignore[arg-type]
            pos=self.p(meta),
        )
        return ("met_by", met)

    def met_since(self, meta: Meta, date: ast.DateExpr) -> tuple[str, ast.DateExpr]:
        return ("since", date)

    def repeat(self, meta: Meta, duration: ast.Duration) -> tuple[str, ast.Duration]:
        return ("repeat", duration)

    def suspend(self, meta: Meta, tl: ast.Timeline) -> tuple[str, ast.Timeline]:
        return ("suspend", tl)

    def right_from(self, meta: Meta, spec: object) -> tuple[str, ast.Trigger]:
        return ("right_from", _as_trigger(spec, self.p(meta)))

    def right_until(self, meta: Meta, date: ast.DateExpr) -> tuple[str, ast.DateExpr]:
        return ("right_until", date)

    def right_until_next(self, meta: Meta, pattern: ast.Pattern) -> tuple[str, ast.Pattern]:
        return ("right_until_next", pattern)

    def right_for(self, meta: Meta, duration: ast.Duration) -> tuple[str, ast.Duration]:
        return ("right_for", duration)

    def right_for_attr(self, meta: Meta, name: Token, unit: str) -> tuple[str, ast.AttrLength]:
        # »varer varighed_år år«: the length is read from the event that starts the right
        return ("right_for", ast.AttrLength(attr=_nfc(name), unit=unit, pos=self.p(meta)))

    def right_when(self, meta: Meta, tl: ast.Timeline) -> tuple[str, ast.Timeline]:
        return ("right_when", tl)

    def condition(self, meta: Meta, cond: ast.BoolExpr) -> tuple[str, ast.BoolExpr]:
        return ("condition", cond)

    def transition(self, meta: Meta, citation: Token) -> tuple[str, ast.Transition]:
        return ("transition", ast.Transition(citation=_string(citation), pos=self.p(meta)))

    @v_args(meta=True)
    def week_value(self, meta: Meta, children: list[object]) -> tuple[str, ast.WeekValue]:
        tl, gap, restart, lookback, _unit, *rates, counted = children
        wv = ast.WeekValue(
            timeline=tl,  # type: ignore[arg-type]
            gap=int(gap),  # type: ignore[call-overload]
            lookback=int(lookback),  # type: ignore[call-overload]
            rates=tuple(rates),  # type: ignore[arg-type]
            counted_from=counted,  # type: ignore[arg-type]
            self_support=restart,  # type: ignore[arg-type]
            pos=self.p(meta),
        )
        return ("week_value", wv)

    def week_counted(self, meta: Meta, tok: Token) -> datetime.date:
        return _date(tok, self.file)

    def weeks_without_benefit(self, meta: Meta) -> None:
        return None

    def whole_weeks_with(self, meta: Meta, name: Token) -> ast.Timeline:
        return ast.TlName(name=_nfc(name), pos=self.p(meta))

    def rate_upto(self, meta: Meta, value: Token, week: Token) -> ast.Rate:
        return ast.Rate(value=int(value), up_to=int(week), pos=self.p(meta))

    def rate_rest(self, meta: Meta, value: Token) -> ast.Rate:
        return ast.Rate(value=int(value), up_to=None, pos=self.p(meta))

    def windows(self, meta: Meta, length: ast.Duration, anchor: ast.DateExpr) -> ast.CountWindows:
        return ast.CountWindows(length=length, anchor=anchor, pos=self.p(meta))

    def each_event(self, meta: Meta, pattern: ast.Pattern) -> ast.EachEvent:
        return ast.EachEvent(pattern=pattern, pos=self.p(meta))

    # ── patterns ──
    def pattern(self, meta: Meta, name: Token, where: ast.BoolExpr | None = None) -> ast.Pattern:
        return ast.Pattern(name=_nfc(name), where=where, pos=self.p(meta))

    inline_pattern = pattern

    # ── dates ──
    def date_lit(self, meta: Meta, tok: Token) -> ast.DateLit:
        return ast.DateLit(value=_date(tok, self.file), pos=self.p(meta))

    def course_start(self, meta: Meta) -> ast.CourseStart:
        return ast.CourseStart(pos=self.p(meta))

    def course_end(self, meta: Meta) -> ast.CourseEnd:
        return ast.CourseEnd(pos=self.p(meta))

    def trigger_date(self, meta: Meta) -> ast.TriggerDate:
        return ast.TriggerDate(pos=self.p(meta))

    def first_event(
        self, meta: Meta, pattern: ast.Pattern, bound: tuple[str | None, ast.DateExpr | None]
    ) -> ast.EventDate:
        return self._event_date("first", meta, pattern, bound)

    def latest_event(
        self, meta: Meta, pattern: ast.Pattern, bound: tuple[str | None, ast.DateExpr | None]
    ) -> ast.EventDate:
        return self._event_date("latest", meta, pattern, bound)

    def _event_date(
        self,
        which: str,
        meta: Meta,
        pattern: ast.Pattern,
        bound: tuple[str | None, ast.DateExpr | None],
    ) -> ast.EventDate:
        op, date = bound
        return ast.EventDate(
            which=which, pattern=pattern, bound=op, bound_date=date, pos=self.p(meta)
        )

    def bound(
        self, meta: Meta, op: str | None, date: ast.DateExpr | None
    ) -> tuple[str | None, ast.DateExpr | None]:
        return (op, date)

    def after(self, meta: Meta) -> str:
        return "after"

    def on_or_after(self, meta: Meta) -> str:
        return "on_or_after"

    def before(self, meta: Meta) -> str:
        return "before"

    def on_or_before(self, meta: Meta) -> str:
        return "on_or_before"

    def date_shift(
        self, meta: Meta, base: ast.DateExpr, sign: Token, duration: ast.Duration
    ) -> ast.DateShift:
        shifts, inner = 1, base
        while isinstance(inner, ast.DateShift):
            shifts, inner = shifts + 1, inner.base
        if shifts > MAX_SHIFTS:
            _too_big(
                self.p(meta),
                f"datoen flyttes {shifts} gange (højst {MAX_SHIFTS})",
                "læg flytningerne sammen til én varighed, fx »+ 2 år 3 måneder«",
            )
        return ast.DateShift(
            base=base, duration=duration, sign=1 if sign == "+" else -1, pos=self.p(meta)
        )

    def end_of_month(self, meta: Meta, base: ast.DateExpr) -> ast.EndOfMonth:
        return ast.EndOfMonth(base=base, pos=self.p(meta))

    def birthday(self, meta: Meta, years: Token) -> ast.Birthday:
        return ast.Birthday(years=self.age(years), pos=self.p(meta))

    def date_ref(self, meta: Meta, name: Token) -> ast.DateRef:
        return ast.DateRef(name=_nfc(name), pos=self.p(meta))

    def threshold(
        self,
        meta: Meta,
        tl: ast.Timeline,
        more: Token | None,
        amount: ast.Duration,
        window: ast.Duration | None,
        counted: tuple[str, object] | None,
    ) -> ast.Threshold:
        kind, target = counted if counted else ("", None)
        counted_from = target if kind == "from" else None
        counted_after = target if kind == "after" else None
        reset_by = target if kind == "reset" else None
        return ast.Threshold(
            timeline=tl,
            amount=amount,
            more_than=more is not None,
            window=window,
            counted_from=counted_from,  # type: ignore[arg-type]
            counted_after=counted_after,  # type: ignore[arg-type]
            reset_by=reset_by,  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def each_threshold(
        self,
        meta: Meta,
        tl: ast.Timeline,
        more: Token | None,
        amount: ast.Duration,
        window: ast.Duration | None,
        counted: tuple[str, object] | None,
    ) -> ast.Threshold:
        found = self.threshold(meta, tl, more, amount, window, counted)
        return attrs.evolve(found, recurring=True)

    def period_start(self, meta: Meta, tl: ast.Timeline, date: ast.DateExpr) -> ast.PeriodStart:
        return ast.PeriodStart(timeline=tl, date=date, pos=self.p(meta))

    def amount(self, meta: Meta, n: Token, unit: str) -> ast.Duration:
        return _duration([(int(n), unit)], self.p(meta))

    def counted_from(self, meta: Meta, date: ast.DateExpr) -> tuple[str, ast.DateExpr]:
        return ("from", date)

    def counted_after(self, meta: Meta, date: ast.DateExpr) -> tuple[str, ast.DateExpr]:
        return ("after", date)

    def reset_by(self, meta: Meta, pattern: ast.Pattern) -> tuple[str, ast.Pattern]:
        return ("reset", pattern)

    @v_args(meta=True)
    def duration(self, meta: Meta, parts: list[tuple[int, str]]) -> ast.Duration:
        return _duration(parts, self.p(meta))

    def duration_part(self, meta: Meta, n: Token, unit: str) -> tuple[int, str]:
        return (int(n), unit)

    def days(self, meta: Meta) -> str:
        return "days"

    def weeks(self, meta: Meta) -> str:
        return "weeks"

    def months(self, meta: Meta) -> str:
        return "months"

    def years(self, meta: Meta) -> str:
        return "years"

    # ── timelines ──
    def tl_or(self, meta: Meta, a: ast.Timeline, b: ast.Timeline) -> ast.TlOr:
        return ast.TlOr(left=a, right=b, pos=self.p(meta))

    def tl_and(self, meta: Meta, a: ast.Timeline, b: ast.Timeline) -> ast.TlAnd:
        return ast.TlAnd(left=a, right=b, pos=self.p(meta))

    def tl_not(self, meta: Meta, a: ast.Timeline) -> ast.TlNot:
        return ast.TlNot(timeline=a, pos=self.p(meta))

    def tl_from_day(self, meta: Meta, tl: ast.Timeline, day: Token) -> ast.TlFromDay:
        return ast.TlFromDay(timeline=tl, day=int(day), pos=self.p(meta))

    def tl_after_lasting(
        self, meta: Meta, tl: ast.Timeline, duration: ast.Duration
    ) -> ast.TlAfterLasting:
        return ast.TlAfterLasting(timeline=tl, duration=duration, pos=self.p(meta))

    def tl_name(
        self, meta: Meta, name: Token, key: Token | None, where: ast.BoolExpr | None
    ) -> ast.TlName:
        return ast.TlName(
            name=_nfc(name), key=_nfc(key) if key else None, where=where, pos=self.p(meta)
        )

    def tl_started(
        self, meta: Meta, name: Token, key: Token | None, where: ast.BoolExpr
    ) -> ast.TlName:
        # »sygdom begyndt med {ansat}«: the condition holds for the period's first start event
        found = self.tl_name(meta, name, key, where)
        return attrs.evolve(found, first=True)

    def tl_course(self, meta: Meta) -> ast.TlCourse:
        return ast.TlCourse(pos=self.p(meta))

    def tl_age(self, meta: Meta, op: str, years: Token) -> ast.TlAge:
        return ast.TlAge(op=op, years=self.age(years), pos=self.p(meta))

    def age(self, years: Token) -> int:
        """An age in years (a birthday, an age limit), at most :data:`MAX_AGE`."""
        if int(years) > MAX_AGE:
            _too_big(
                _pos_of(self.file, years),
                f"alderen {years} år er for høj (højst {MAX_AGE})",
                "skriv en alder, et menneske kan have",
            )
        return int(years)

    def tl_latest_compare(
        self, meta: Meta, event: Token, attr: Token, op: str, value: ast.Literal
    ) -> ast.TlLatest:
        return ast.TlLatest(
            event=_nfc(event), attr=_nfc(attr), op=op, value=value, pos=self.p(meta)
        )

    def tl_latest_in(
        self, meta: Meta, event: Token, attr: Token, values: ast.ValueSet
    ) -> ast.TlLatest:
        return ast.TlLatest(event=_nfc(event), attr=_nfc(attr), values=values, pos=self.p(meta))

    def tl_fact_compare(self, meta: Meta, fact: Token, op: str, value: ast.Literal) -> ast.TlFact:
        return ast.TlFact(fact=_nfc(fact), op=op, value=value, pos=self.p(meta))

    def tl_fact_in(self, meta: Meta, fact: Token, values: ast.ValueSet) -> ast.TlFact:
        return ast.TlFact(fact=_nfc(fact), values=values, pos=self.p(meta))

    def tl_since(self, meta: Meta, date: ast.DateExpr) -> ast.TlSince:
        return ast.TlSince(date=date, pos=self.p(meta))

    def tl_between(self, meta: Meta, start: Token, end: Token) -> ast.TlBetween:
        return ast.TlBetween(
            start=_date(start, self.file), end=_date(end, self.file), pos=self.p(meta)
        )

    # ── conditions ──
    def b_or(self, meta: Meta, a: ast.BoolExpr, b: ast.BoolExpr) -> ast.BoolOr:
        return ast.BoolOr(left=a, right=b, pos=self.p(meta))

    def b_and(self, meta: Meta, a: ast.BoolExpr, b: ast.BoolExpr) -> ast.BoolAnd:
        return ast.BoolAnd(left=a, right=b, pos=self.p(meta))

    def b_not(self, meta: Meta, a: ast.BoolExpr) -> ast.BoolNot:
        return ast.BoolNot(operand=a, pos=self.p(meta))

    def b_compare(
        self, meta: Meta, left: ast.Operand, op: str, right: ast.Operand
    ) -> ast.BoolCompare:
        # A bare name on the right of a comparison is a value (målgruppe = aktivitetsparat).
        if isinstance(right, ast.NameRef):
            right = ast.Literal(value=right.name, kind="enum", pos=right.pos)
        return ast.BoolCompare(left=left, op=op, right=right, pos=self.p(meta))

    def b_in(self, meta: Meta, operand: ast.Operand, values: ast.ValueSet) -> ast.BoolIn:
        return ast.BoolIn(operand=operand, values=values, pos=self.p(meta))

    def b_not_in(self, meta: Meta, operand: ast.Operand, values: ast.ValueSet) -> ast.BoolIn:
        return ast.BoolIn(operand=operand, values=values, negated=True, pos=self.p(meta))

    def b_shorter(self, meta: Meta, duration: ast.Duration) -> ast.BoolShorter:
        return ast.BoolShorter(duration=duration, pos=self.p(meta))

    def b_exists(
        self, meta: Meta, pattern: ast.Pattern, start: ast.DateExpr, end: ast.DateExpr
    ) -> ast.BoolExists:
        return ast.BoolExists(pattern=pattern, start=start, end=end, pos=self.p(meta))

    def b_continues(
        self,
        meta: Meta,
        period: Token,
        key: Token | None,
        where: ast.BoolExpr | None,
        date: ast.DateExpr,
    ) -> ast.BoolContinues:
        return ast.BoolContinues(
            period=_nfc(period),
            key=_nfc(key) if key else None,
            where=where,
            date=date,
            pos=self.p(meta),
        )

    def b_truthy(self, meta: Meta, operand: ast.Operand) -> ast.BoolTruthy:
        return ast.BoolTruthy(operand=operand, pos=self.p(meta))

    def name_ref(self, meta: Meta, name: Token) -> ast.NameRef:
        return ast.NameRef(name=_nfc(name), pos=self.p(meta))

    def age_at(self, meta: Meta, date: ast.DateExpr) -> ast.AgeAt:
        return ast.AgeAt(date=date, pos=self.p(meta))

    def compare_op(self, meta: Meta, tok: Token) -> str:
        return str(tok)

    def cmp_lt(self, meta: Meta) -> str:
        return "<"

    def cmp_gt(self, meta: Meta) -> str:
        return ">"

    def cmp_le(self, meta: Meta) -> str:
        return "<="

    def cmp_ge(self, meta: Meta) -> str:
        return ">="

    @v_args(meta=True)
    def set_lit(self, meta: Meta, values: list[ast.Literal]) -> ast.SetLit:
        return ast.SetLit(values=tuple(values), pos=self.p(meta))

    def set_ref(self, meta: Meta, name: Token) -> ast.SetRef:
        return ast.SetRef(name=_nfc(name), pos=self.p(meta))

    def literal(self, meta: Meta, lit: ast.Literal) -> ast.Literal:
        return lit

    def enum_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal(value=_nfc(tok), kind="enum", pos=self.p(meta))

    def int_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal(value=int(tok), kind="int", pos=self.p(meta))

    def true_lit(self, meta: Meta) -> ast.Literal:
        return ast.Literal(value=True, kind="bool", pos=self.p(meta))

    def false_lit(self, meta: Meta) -> ast.Literal:
        return ast.Literal(value=False, kind="bool", pos=self.p(meta))

    def str_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal(value=_string(tok), kind="text", pos=self.p(meta))

    # ── examples ──
    @v_args(meta=True)
    def example(self, meta: Meta, children: list[object]) -> ast.Example:
        title, born, facts, *rest = children
        return ast.Example(
            title=_string(title),  # type: ignore[arg-type]
            born=_date(born, self.file),  # type: ignore[arg-type]
            facts=tuple(facts) if facts else (),  # type: ignore[arg-type]
            events=tuple(r for r in rest if isinstance(r, ast.ExampleEvent)),
            expectations=tuple(r for r in rest if isinstance(r, ast.Expectation)),
            pos=self.p(meta),
        )

    @v_args(meta=True)
    def facts(self, meta: Meta, assigns: list[tuple[str, ast.Literal]]) -> list[object]:
        return assigns  # type: ignore[return-value]

    def fact_assign(self, meta: Meta, name: Token, value: ast.Literal) -> tuple[str, ast.Literal]:
        return (_nfc(name), value)

    attr_assign = fact_assign

    @v_args(meta=True)
    def example_event(self, meta: Meta, children: list[object]) -> ast.ExampleEvent:
        date, name, *attrs = children
        return ast.ExampleEvent(
            date=_date(date, self.file),  # type: ignore[arg-type]
            type=_nfc(name),  # type: ignore[arg-type]
            attrs=tuple(attrs),  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    @v_args(meta=True)
    def expectation(self, meta: Meta, children: list[object]) -> ast.Expectation:
        as_of, *items = children
        return ast.Expectation(
            as_of=_date(as_of, self.file),  # type: ignore[arg-type]
            items=tuple(items),  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def expect_obligation(
        self, meta: Meta, rule: Token, status: str, met: Token | None, due: Token
    ) -> ast.Expect:
        return ast.Expect(
            kind="obligation",
            rule=_nfc(rule),
            status=status,
            fulfilled_on=_date(met, self.file) if met else None,
            due=_date(due, self.file),
            pos=self.p(meta),
        )

    def expect_right(self, meta: Meta, rule: Token, start: Token, until: object) -> ast.Expect:
        return ast.Expect(
            kind="right",
            rule=_nfc(rule),
            start=_date(start, self.file),
            until=until,  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def expect_value(
        self, meta: Meta, rule: Token, value: Token, start: Token, until: object
    ) -> ast.Expect:
        return ast.Expect(
            kind="value",
            rule=_nfc(rule),
            value=int(value),
            start=_date(start, self.file),
            until=until,  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def expect_none(self, meta: Meta, rule: Token) -> ast.Expect:
        return ast.Expect(kind="none", rule=_nfc(rule), pos=self.p(meta))

    @v_args(meta=True)
    def until_date(self, meta: Meta, children: list[Token]) -> datetime.date | None:
        return _date(children[0], self.file) if children else None

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


def _nfc(tok: object) -> str:
    return unicodedata.normalize("NFC", str(tok))


def _duration(parts: list[tuple[int, str]], pos: SourcePos) -> ast.Duration:
    months = days = 0
    words = []
    for n, unit in parts:
        m, d = _UNIT_TO_DURATION[unit]
        months += n * m
        days += n * d
        words.append(f"{n} {_UNIT_WORDS[unit][n != 1]}")
    if months > 12 * MAX_DURATION_YEARS or days > 366 * MAX_DURATION_YEARS:
        _too_big(
            pos,
            f"varigheden {' '.join(words)} er for lang (højst {MAX_DURATION_YEARS} år)",
            "en frist eller periode i en regel er højst et menneskeliv lang",
        )
    return ast.Duration(months=months, days=days, unit_text=" ".join(words), pos=pos)


_UNIT_WORDS = {
    "days": ("dag", "dage"),
    "weeks": ("uge", "uger"),
    "months": ("måned", "måneder"),
    "years": ("år", "år"),
}


def _default_trigger(fields: dict[str, object]) -> None:
    """A pligt with a fixed frist (``frist forløbets start``, ``frist 2015-06-01``) and no
    ``udløses af`` is triggered on the first day of the forløb, as the language reference
    and the prose say ("udløses ved forløbets start"). A per-borger rule has no forløb, so
    check reports the implied ``forløbets start`` there."""
    deadline = fields.get("deadline")
    if "trigger" in fields or not isinstance(deadline, ast.Deadline) or deadline.at is None:
        return
    fields["trigger"] = ast.AtDate(date=ast.CourseStart(pos=deadline.pos), pos=deadline.pos)


def _as_trigger(spec: object, pos: SourcePos) -> ast.Trigger:
    if isinstance(spec, ast.EachEvent | ast.CountWindows):
        return spec
    return ast.AtDate(date=spec, pos=pos)  # type: ignore[arg-type]


# ───────────────────────────── friendly syntax errors ─────────────────────────────
# Each label maps to a list of known-bad snippets; Lark's match_examples finds the label whose
# examples fail in the same parser state as the author's file.
SYNTAX_EXAMPLES: dict[str, list[str]] = {
    "En pligt mangler sin titel i anførselstegn efter navnet": [
        'ordning a "t" pligt p frist',
        'ordning a "t" version v gælder fra 2014-01-01 pligt p ansvarlig',
    ],
    "Et regelsæt (ordning) mangler sin titel i anførselstegn": ["ordning a pligt"],
    "»opfyldes« skal følges af »af« og en hændelsestype": [
        'ordning a "t" pligt p "t" opfyldes samtale',
    ],
    "En frist skal have en længde og en enhed (dage, uger, måneder, år)": [
        'ordning a "t" pligt p "t" frist 3 efter forløbets start',
        'ordning a "t" pligt p "t" frist 3 måned før',
    ],
    "En dato skal skrives ÅÅÅÅ-MM-DD": [
        'ordning a "t" gælder fra 2014-1-1',
        'ordning a "t" gælder fra 1.1.2014',
    ],
    "En tekst mangler sit afsluttende anførselstegn": ['ordning a "t'],
    "En overgangsregel skal have sin egen hjemmel: lovens overgangsbestemmelse": [
        'ordning a "t" pligt p "t" overgang løbende forløb regnes begyndt ved ikrafttræden frist',
        'ordning a "t" pligt p "t" transition running courses count as begun at entry into force due',
    ],
    "Et eksempel skal have »født ÅÅÅÅ-MM-DD« og mindst én »pr. DATO forventes«": [
        'ordning a "t" eksempel "e" 2015-01-01 samtale',
        'ordning a "t" eksempel "e" født 1970-01-01 2015-01-01 samtale',
    ],
}

_HINTS = {
    "En pligt mangler sin titel i anførselstegn efter navnet": 'skriv fx: pligt første_samtale "Første samtale"',
    "Et regelsæt (ordning) mangler sin titel i anførselstegn": 'skriv fx: ordning navn "Titel"',
    "»opfyldes« skal følges af »af« og en hændelsestype": "skriv fx: opfyldes af samtale",
    "En frist skal have en længde og en enhed (dage, uger, måneder, år)": "skriv fx: frist 1 uge efter forløbets start",
    "En dato skal skrives ÅÅÅÅ-MM-DD": "skriv fx: 2014-01-01",
    "En tekst mangler sit afsluttende anførselstegn": 'afslut teksten med "',
    "En overgangsregel skal have sin egen hjemmel: lovens overgangsbestemmelse": 'skriv fx: overgang løbende forløb regnes begyndt ved ikrafttræden hjemmel "Lov nr. … § …"',
    "Et eksempel skal have »født ÅÅÅÅ-MM-DD« og mindst én »pr. DATO forventes«": "se et eksempel i rulesets/kontanthjælp_aktivitetsparat.lov",
}


def _syntax_diagnostic(err: UnexpectedInput, file: str, source: str) -> Diagnostic:
    return syntax_diagnostic(
        err, file, source, parser().parse, lambda e: _match_label(e, source), _HINTS
    )


def _with_imports(examples: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each example also after an import line: Lark compares the parser's whole stack, and
    every real rule file starts with ``importer ordforråd``."""
    return {
        label: [*snippets, *(f"importer ordforråd\n{s}" for s in snippets)]
        for label, snippets in examples.items()
    }


def _match_label(err: UnexpectedInput, source: str) -> str | None:
    try:
        return err.match_examples(parser().parse, _with_imports(SYNTAX_EXAMPLES), use_accepts=True)  # type: ignore[return-value]
    except Exception:  # match_examples is best effort: a miss must never hide the real error
        return None


# ───────────────────────────── entry points ─────────────────────────────
def parse_text(source: str, file: str = "<tekst>") -> ast.Module:
    """Parse the text of a rule file into an :class:`ast.Module`.

    >>> m = parse_text('ordning a "Titel" pligt p "P" frist 1 uge efter forløbets start')
    >>> m.rulesets[0].rules[0].deadline.after.days
    7
    """
    # a byte order mark is how some Windows editors start a UTF-8 file; it is no character
    text = unicodedata.normalize("NFC", source.removeprefix("\ufeff"))
    try:
        tree = parser().parse(text)
    except UnexpectedInput as err:
        raise RuleSyntaxError([_syntax_diagnostic(err, file, text)]) from None
    _check_limits(tree, file, text)
    try:
        module = ToAst(file).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, RuleSyntaxError):
            raise RuleSyntaxError(
                [_with_source(d, text) for d in err.orig_exc.diagnostics]
            ) from None
        raise
    return ast.Module(
        file=file,
        imports=module.imports,
        vocabularies=module.vocabularies,
        rulesets=module.rulesets,
        source=text,
        pos=module.pos,
    )


#: The deepest parse tree accepted. Every »og«, »eller«, »ikke« and parenthesis is a level;
#: the passes that follow (check, compiler, interpreter, prose) recurse once per level, and
#: the generated Python nests one parenthesis per level (Python allows 200).
MAX_NESTING = 100
#: The most digits a number in a rule file may have (numbers are days, weeks, ages, counts
#: and rates: 6 digits is 999.999, far beyond any of them).
MAX_DIGITS = 6


def _check_limits(tree: lark.Tree, file: str, text: str) -> None:
    """Refuse, with file:line:col, a rule file nested too deep or with a number too long,
    before any recursive pass (or int()) sees it. The walk itself is iterative."""
    stack: list[tuple[lark.Tree | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Token):
            if node.type == "INT" and len(node.lstrip("+-")) > MAX_DIGITS:
                _limit_error(
                    file,
                    text,
                    node,
                    f"tallet er for langt ({len(node)} cifre; højst {MAX_DIGITS})",
                    "tal i regler er dage, uger, aldre, antal og satser: skriv et mindre tal",
                )
            continue
        if depth > MAX_NESTING:
            _limit_error(
                file,
                text,
                _first_token(node),
                f"udtrykket er indlejret for dybt (mere end {MAX_NESTING} niveauer)",
                "del udtrykket op med navngivne tidslinjer, mønstre eller mængder",
            )
        stack.extend((child, depth + 1) for child in node.children if child is not None)


def _first_token(node: lark.Tree) -> Token | lark.Tree:
    """The first token under ``node`` (for its position), found without recursion."""
    while isinstance(node, lark.Tree):
        children = [c for c in node.children if c is not None]
        if not children:
            return node
        node = children[0]
    return node


def _limit_error(file: str, text: str, at: Token | lark.Tree, message: str, hint: str) -> None:
    meta = at if isinstance(at, Token) else at.meta
    diag = Diagnostic(_pos_of(file, meta), message, hint, source=text)
    raise RuleSyntaxError([diag])


def _with_source(diag: Diagnostic, source: str) -> Diagnostic:
    return Diagnostic(diag.pos, diag.message, diag.hint, diag.severity, source)


def parse_file(path: str | Path) -> ast.Module:
    """Read and parse one rule file (UTF-8)."""
    path = Path(path)
    try:
        return parse_text(decode(path.read_bytes(), str(path)), str(path))
    except OSError as err:
        diag = Diagnostic(SourcePos(str(path), 0, 0), f"kan ikke læse filen: {err.strerror}")
        raise RuleSyntaxError([diag]) from None


def decode(data: bytes, file: str) -> str:
    """The text of a rule file; bytes that are not UTF-8 are reported at their line and column.

    >>> decode("gælder".encode("latin-1"), "f.lov")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lovregler.errors.RuleSyntaxError: f.lov:1:2: fejl: filen er ikke gyldig UTF-8: byte 0xe6 ...
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        shown = data.decode("utf-8", errors="replace")
        before = data[: err.start].decode("utf-8", errors="replace")
        pos = position(file, shown, len(before), len(before) + 1)
        diag = Diagnostic(
            pos,
            f"filen er ikke gyldig UTF-8: byte 0x{data[err.start]:02x} kan ikke læses",
            "gem filen som UTF-8 (i editoren: »Gem som« med tegnsættet UTF-8)",
            source=shown,
        )
        raise RuleSyntaxError([diag]) from None

"""Hypothesis strategies for hostile input: rule files generated from the grammar, and
histories mutated byte by byte and structure by structure.

Rule files come from :func:`hypothesis.extra.lark.from_lark` on the language's own grammar,
so every clause and expression form is reachable. Names are drawn from the shared
vocabulary (event types, attributes, enum values, facts, periods), so that a fair share of
the generated rules also pass ``check`` and reach the compiler and the evaluator.

How much is generated depends on the hypothesis profile: ``make test`` runs a few dozen
examples per property, ``make fuzz`` (``LOVREGLER_FUZZ=1``) thousands.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import re

import lark
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from lovregler.api import load_vocabulary
from lovregler.syntax.lark_parser import grammar_text

#: ``make fuzz`` sets this: many more examples, no deadline.
LONG = bool(os.environ.get("LOVREGLER_FUZZ"))


def fuzz_settings(quick: int) -> settings:
    """``quick`` examples under ``make test``; 50 times as many under ``make fuzz``."""
    return settings(
        max_examples=quick * 50 if LONG else quick,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


HEAD = """importer ordforråd

ordning fuzz "Fuzz"
  forløb når ydelse kontanthjælp
"""


#: The grammar's symbols that the rule templates take from it.
_PARTS = ("rule", "bool_expr", "timeline", "pattern", "date_expr", "duration", "trigger_spec")


@functools.cache
def _grammar() -> lark.Lark:
    # Lark rebuilds the rule tables for the extra start symbol; from_lark reads them.
    return lark.Lark(grammar_text(), parser="lalr", lexer="contextual", start=["start", *_PARTS])


@functools.cache
def _vocabulary_names() -> tuple[str, ...]:
    vocab = load_vocabulary()
    names = set(vocab.events) | set(vocab.facts) | set(vocab.periods)
    for event in vocab.events.values():
        names |= set(event.attrs)
    for values in vocab.enums.values():
        names |= set(values)
    return tuple(sorted(names))


def _spaced(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A token with a space on each side, so that two tokens never run into one."""
    return strategy.map(lambda text: f" {text} ")


def _terminal(term: lark.lexer.TerminalDef) -> st.SearchStrategy[str]:
    pattern = term.pattern
    if isinstance(pattern, lark.lexer.PatternStr):
        return st.just(pattern.value)
    flags = functools.reduce(lambda a, b: a | getattr(re, b.upper()), pattern.flags, 0)
    return st.from_regex(re.compile(pattern.value, flags), fullmatch=True)


@functools.cache
def _explicit(part: str) -> dict[str, st.SearchStrategy[str]]:
    """A strategy per terminal under ``part`` (from_lark refuses any other)."""
    names = _vocabulary_names()
    used = _terminals_under(part)
    explicit = {t.name: _spaced(_terminal(t)) for t in _grammar().terminals if t.name in used}
    mine = dict(
        NAME=_spaced(st.sampled_from(names) | st.sampled_from(("x", "p", "ukendt"))),
        INT=_spaced(st.integers(0, 60).map(str) | st.integers(0, 999_999).map(str)),
        DATE=_spaced(
            st.dates(datetime.date(2009, 1, 1), datetime.date(2021, 12, 31)).map(str)
            | st.sampled_from(["2015-02-29", "2016-02-29", "2015-13-01"])
        ),
        STRING=_spaced(st.sampled_from(['"tekst"', '"[/]"', '"a\\"b"', '"""x\ny"""'])),
        COMMENT=st.just(" # kommentar\n"),
        WS=st.sampled_from([" ", "\n", "\t", "\r\n"]),
    )
    explicit.update((name, strategy) for name, strategy in mine.items() if name in used)
    return explicit


def _terminals_under(start: str) -> set[str]:
    """The terminals a derivation from ``start`` can produce (from_lark takes only those)."""
    grammar = _grammar()
    seen, todo, terminals = {start}, [start], set()
    while todo:
        origin = todo.pop()
        for rule in grammar.rules:
            if rule.origin.name != origin:
                continue
            for symbol in rule.expansion:
                if symbol.is_term:
                    terminals.add(symbol.name)
                elif symbol.name not in seen:
                    seen.add(symbol.name)
                    todo.append(symbol.name)
    return terminals | {"WS", "COMMENT"}


@functools.cache  # building the strategy compiles the grammar: once per symbol
def _part(name: str) -> st.SearchStrategy[str]:
    return from_lark(_grammar(), start=name, explicit=_explicit(name))


def rules() -> st.SearchStrategy[str]:
    """One ``pligt``/``ret``/``værdi`` straight from the grammar: mostly check errors."""
    return _part("rule")


@st.composite
def obligations(draw: st.DrawFn) -> str:
    """A ``pligt`` with every clause it needs, each clause's expression from the grammar."""
    lines = ['pligt p "P"']
    if draw(st.booleans()):
        lines.append(f"udløses af {draw(_part('trigger_spec'))}")
        lines.append(f"frist {draw(_part('duration'))} efter udløsningsdagen")
    elif draw(st.booleans()):
        lines.append(f"frist {draw(_part('duration'))} efter {draw(_part('trigger_spec'))}")
    else:
        lines.append(f"frist {draw(_part('date_expr'))}")
    lines.append(f"opfyldes af {draw(_part('pattern'))}")
    if draw(st.booleans()):
        lines.append(f"hvis {draw(_part('bool_expr'))}")
    if draw(st.booleans()):
        lines.append(f"suspenderes når {draw(_part('timeline'))}")
    return "\n    ".join(lines)


@st.composite
def rights(draw: st.DrawFn) -> str:
    """A ``ret`` from a day or over a timeline, its expressions from the grammar."""
    if draw(st.booleans()):
        return f'ret r "R"\n    når {draw(_part("timeline"))}'
    lines = ['ret r "R"', f"fra {draw(_part('trigger_spec'))}"]
    end = draw(st.sampled_from(["varer", "indtil", "none"]))
    if end == "varer":
        lines.append(f"varer {draw(_part('duration'))}")
    elif end == "indtil":
        lines.append(f"indtil {draw(_part('date_expr'))}")
    if draw(st.booleans()):
        lines.append(f"hvis {draw(_part('bool_expr'))}")
    return "\n    ".join(lines)


def rule_files() -> st.SearchStrategy[str]:
    """A ruleset with a forløb and one rule: whole from the grammar, or a template of
    clauses whose expressions come from the grammar (these pass check far more often)."""
    return st.one_of(rules(), obligations(), rights()).map(lambda rule: f"{HEAD}  {rule}\n")


# ---------------------------------------------------------------- histories

_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(["2015-03-02", "2015-02-29", "kontanthjælp", "samtale", "\ud800", "[/]"])
)


def json_values(depth: int = 3) -> st.SearchStrategy[object]:
    """Any JSON-ish value (with NaN, huge ints and lone surrogates among the leaves)."""
    return st.recursive(
        _JSON_SCALARS,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["id", "type", "date", "ydelse", "x"]), inner, max_size=4
            )
        ),
        max_leaves=12,
    )


@st.composite
def mutated_histories(draw: st.DrawFn, base: dict[str, object]) -> object:
    """``base`` with one part replaced by something arbitrary: a field, an event, a value."""
    obj = json.loads(json.dumps(base))
    where = draw(st.sampled_from(["top", "event", "attr", "whole"]))
    if where == "whole":
        return draw(json_values())
    if where == "top":
        key = draw(st.sampled_from(["id", "birth_date", "events", "facts", "extra"]))
        obj[key] = draw(json_values())
        return obj
    events = obj["events"]
    index = draw(st.integers(0, len(events) - 1))
    if where == "event":
        events[index] = draw(json_values())
    else:
        key = draw(st.sampled_from(["type", "date", "seq", "ydelse", "målgruppe", "form"]))
        events[index][key] = draw(json_values())
    return obj


@st.composite
def mutated_lines(draw: st.DrawFn, line: bytes) -> bytes:
    """A JSON line with bytes flipped, cut, inserted or duplicated."""
    data = bytearray(line)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 20))]
        elif op == "insert":
            data[at:at] = draw(
                st.sampled_from([b"\xff", b"\\ud800", b"\x00", b'"id":"kbh-0",', b"[[[[", b"\n"])
            )
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 30))]
    return bytes(data).replace(b"\n", b" ")

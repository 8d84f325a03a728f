"""The front object: find, parse, check, plan and compile a ruleset in one call.

>>> rs = load_ruleset("kontanthjælp_aktivitetsparat")
>>> [r.id for r in rs.rules][:2]
['første_samtale', 'fire_samtaler_årligt']

``load_ruleset`` accepts a bundled ruleset's name or a path to a ``.lov`` file; the ruleset a
file ``udvider`` (extends) and the vocabulary it ``importer`` are found beside it, or among
the bundled ones. Loaded rulesets are cached per process by the checksum of their files.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import pickle
import re
import unicodedata
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from . import cache
from .check import check_imports, check_ruleset, check_vocabulary
from .errors import (
    ArgumentError,
    CheckError,
    Diagnostic,
    HistoryError,
    LovreglerError,
    RuleNotFound,
    RulesetNotFound,
    SourcePos,
)
from .evaluate.plan import Plan, build_plan
from .history import History
from .history.fast import _FastLoader, fast_loader
from .results import Entry, Result
from .semantics.vocabulary import Vocabulary, from_ast
from .syntax import ast
from .syntax.lark_parser import grammar_text
from .syntax.parse import parse_file, source_digest
from .timecalc import INF

VOCABULARY_NAME = "ordforråd"


def bundled_dir() -> Path:
    """The folder of the bundled rulesets (package data ``lovregler.rulesets``).

    Resolved: in a source tree the package folder is a symlink to the top-level
    ``rulesets/``, and positions in messages should name the file rule authors edit."""
    return Path(str(resources.files("lovregler.rulesets"))).resolve()


def bundled_rulesets() -> list[str]:
    """The names of the bundled rulesets (every ``.lov`` file but the vocabulary)."""
    return sorted(
        unicodedata.normalize("NFC", p.stem)
        for p in bundled_dir().glob("*.lov")
        if unicodedata.normalize("NFC", p.stem) != VOCABULARY_NAME
    )


def _find(name: str, near: Path | None) -> Path:
    name = unicodedata.normalize("NFC", name)
    for folder in [near, bundled_dir()]:
        if folder is None:
            continue
        for p in folder.glob("*.lov"):
            if unicodedata.normalize("NFC", p.stem) == name:
                return p
    known = bundled_rulesets()
    from .errors import did_you_mean

    guess = did_you_mean(name, known)
    hint = f" — mente du {guess!r}?" if guess else f" (kendte: {', '.join(known)})"
    raise RulesetNotFound(f"ingen regelsæt ved navn {name!r}{hint}")


def find_rule_file(name: str, near: Path | None = None) -> Path:
    """The rule file called ``name`` (without ``.lov``): beside ``near``, else a bundled one;
    :class:`RulesetNotFound` when there is none."""
    return _find(name, near)


def available_rule_files(near: Path | None) -> list[str]:
    """The names a rule file beside ``near`` can import: the ``.lov`` files there and the
    bundled ones."""
    folders = [f for f in (near, bundled_dir()) if f is not None]
    return sorted({unicodedata.normalize("NFC", p.stem) for f in folders for p in f.glob("*.lov")})


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.cache
def _parsed(path: str, digest: str) -> ast.Module:
    name = _ast_cache_name(path, digest)
    data = cache.load("ast", name)  # only entries this user wrote (HMAC): see lovregler.cache
    if data is not None:
        try:
            module = pickle.loads(data)
            if isinstance(module, ast.Module):
                return module
        except Exception:  # a stale entry (e.g. from another version) is rebuilt below
            pass
    module = parse_file(path)
    cache.store("ast", name, pickle.dumps(module))
    return module


def _ast_cache_name(path: str, digest: str) -> str:
    """The cache entry of a rule file's AST: keyed by the file's checksum, its path
    (positions name it), the grammar and this package's AST module."""
    key = hashlib.sha256(
        "\0".join([digest, path, grammar_text(), _AST_SOURCE_DIGEST]).encode()
    ).hexdigest()
    return f"{key}.pickle"


# The AST classes and the transformer that builds them: a change to either invalidates the cache.
_AST_SOURCE_DIGEST = source_digest()


def parse_cached(path: Path) -> ast.Module:
    """Parse a rule file, cached by its checksum."""
    return _parsed(str(path), _digest(path))


def load_vocabulary(near: Path | None = None) -> Vocabulary:
    """The shared vocabulary (``rulesets/ordforråd.lov``), checked."""
    path = _find(VOCABULARY_NAME, near)
    module = parse_cached(path)
    if not module.vocabularies:
        raise CheckError([Diagnostic(SourcePos(str(path), 1, 1), "filen erklærer intet ordforråd")])
    node = module.vocabularies[0]
    _raise_errors(_check_vocabulary(node, module.source))
    return from_ast(node)


def _check_vocabulary(node: ast.VocabularyNode, source: str) -> list[Diagnostic]:
    return check_vocabulary(node, source)


def _check_ruleset(
    rs: ast.Ruleset, vocab: Vocabulary, base: ast.Ruleset | None, module: ast.Module
) -> list[Diagnostic]:
    return check_ruleset(rs, vocab, base=base, imports=module.imports, source=module.source)


def _raise_errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    diags = list(diagnostics)
    if any(d.severity == "error" for d in diags):
        raise CheckError(diags)
    return diags


@attrs.frozen
class RuleDoc:
    """A rule as other services and the docs see it: identity, law, and where it stands."""

    id: str
    kind: str
    title: str
    citation: str
    interpretation: tuple[str, ...]
    versions: tuple[str, ...]
    pos: SourcePos
    node: ast.Rule = attrs.field(repr=False)


class Ruleset:
    """A loaded, checked and compiled ruleset."""

    def __init__(
        self, module: ast.Module, node: ast.Ruleset, plan: Plan, warnings: list[Diagnostic]
    ):
        self.module = module
        self.node = node
        self.plan = plan
        self.warnings = warnings
        self.name = node.name
        self.title = node.title
        self.vocabulary = plan.vocabulary
        self._evaluate: Callable[[History, int], Result] | None = None
        self._fast: _FastLoader | None = None  # the vocabulary's fast loader, once asked for
        # whether the compiled evaluator reads events through periods only (compile.py)
        self._periods_first = False

    def compiled(self) -> Callable[[History, int], Result]:
        """The compiled evaluator, built on first use (the docs never need it)."""
        if self._evaluate is None:
            from .evaluate.compile import compile_plan

            compiled = compile_plan(self.plan)
            self._periods_first = compiled.periods_first
            self._evaluate = compiled.evaluate
        return self._evaluate

    @property
    def rules(self) -> list[RuleDoc]:
        """Every rule (one entry per rule span) with its citation and source position."""
        return [
            RuleDoc(
                id=s.rule.id,
                kind=s.rule.kind,
                title=s.rule.title,
                citation=s.info.citation,
                interpretation=s.rule.docs.interpretations,
                versions=tuple(v.name for v in s.versions),
                pos=s.rule.pos,
                node=s.rule,
            )
            for s in self.plan.spans
        ]

    @functools.cached_property
    def content_hash(self) -> str:
        """The SHA-256 (hex) of the rule text that produced this ruleset — its own file, the
        ruleset it extends and the vocabulary, as parsed — so that an answer that carries it
        can be traced to the exact rules that gave it."""
        digest = hashlib.sha256()
        for text in self._sources():
            digest.update(hashlib.sha256(text.encode("utf-8")).digest())
        return digest.hexdigest()

    def _sources(self) -> list[str]:
        here = Path(self.module.file).parent
        texts = [self.module.source]
        if self.node.extends:
            texts.append(parse_cached(_find(self.node.extends, here)).source)
        texts.append(parse_cached(_find(VOCABULARY_NAME, here)).source)
        return texts

    @property
    def versions(self) -> list[VersionDoc]:
        """The ruleset's versions in date order, with their periods of force."""
        seen: dict[str, VersionDoc] = {}
        for span in self.plan.spans:
            for v in span.versions:
                seen.setdefault(v.name, VersionDoc(v.name, _date(v.start), _date(v.end)))
        return sorted(seen.values(), key=lambda v: (v.start or datetime.date.min, v.name))

    def rule(self, rule_id: str) -> RuleDoc:
        """The rule with that id (its first span); :class:`RuleNotFound` if there is none."""
        for doc in self.rules:
            if doc.id == rule_id:
                return doc
        from .errors import did_you_mean

        guess = did_you_mean(str(rule_id), [r.id for r in self.rules])
        hint = f" — mente du {guess!r}?" if guess else ""
        raise RuleNotFound(f"regelsættet {self.name} har ingen regel {rule_id!r}{hint}")

    def history(self, obj: object, *, lenient: bool = False) -> History:
        """Load and validate a history dict against this ruleset's vocabulary
        (:class:`HistoryError` naming the citizen, event and field if it breaks the contract)."""
        return History.from_dict(obj, self.vocabulary, lenient=lenient)

    def evaluate(self, history: History | dict[str, object], as_of: datetime.date | str) -> Result:
        """Obligations, rights and values for one citizen as of a date (compiled evaluator).

        ``history`` is a :class:`History` or a contract dict; ``as_of`` a
        :class:`datetime.date` or ``"ÅÅÅÅ-MM-DD"``. Raises :class:`HistoryError` for a bad
        history and :class:`ArgumentError` for a bad ``as_of``.
        """
        day = _as_of_day(as_of) if type(as_of) is str else parse_as_of(as_of).toordinal()
        evaluate = self._evaluate or self.compiled()
        if type(history) is dict:
            history = self._loaded(history)
        elif not isinstance(history, History):
            history = self.history(history)
        return evaluate(history, day)

    def _loaded(self, obj: dict[str, object]) -> History:
        """A caller's contract dict, once per citizen, as :meth:`evaluate` needs it: the
        vocabulary's fast loader straight away (what from_dict tries first); anything it
        does not take goes through from_dict, which gives the precise error.

        For an evaluator that reads events through periods only, the events are checked
        and their periods made, but the events themselves are made only if read: the
        history does not outlive the evaluation, so the caller's list is read again then."""
        fast = self._fast
        if fast is None:
            fast = self._fast = fast_loader(self.vocabulary)
        head = fast.load_head(obj)
        if head is not None:
            raw: list[Any] = obj["events"]  # type: ignore[assignment]  # msgspec checked it
            if self._periods_first and (own := fast.own_periods(raw)) is not None:
                return History.of_periods_first(head, own, raw, fast)
            loaded = fast.load_events(raw)
            if loaded is not None:
                return History.of_fast((*head, *loaded))
        return self.history(obj)

    def interpret(self, history: History | dict[str, object], as_of: datetime.date | str) -> Result:
        """The same as :meth:`evaluate`, by the reference interpreter (slow; for checking)."""
        from .evaluate.interpret import Interpreter

        day = parse_as_of(as_of)
        if not isinstance(history, History):
            history = self.history(history)
        return Interpreter(self.plan).evaluate(history, day)

    def explain(
        self, history: History | dict[str, object], as_of: datetime.date | str, rule: str
    ) -> list[Entry]:
        """The entries of one rule for one citizen (each has its Danish ``explanation``);
        :class:`RuleNotFound` if the ruleset has no such rule."""
        self.rule(rule)
        return self.evaluate(history, as_of).entries(rule)


@attrs.frozen
class VersionDoc:
    """A version of a ruleset: its name and period of force (None for an open end)."""

    name: str
    start: datetime.date | None
    end: datetime.date | None


def _date(day: int) -> datetime.date | None:
    return None if day <= 1 or day >= INF else datetime.date.fromordinal(day)


# ASCII digits only: \d would accept other scripts' digits, and date.fromisoformat accepts
# forms (20150302, 2015-W10) the contract does not allow.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@functools.lru_cache(maxsize=64)
def _as_of_day(text: str) -> int:
    # A caller evaluating a caseload passes the same text for every citizen: parse it once
    # (a bad one raises every time; lru_cache keeps only returned values).
    return parse_as_of(text).toordinal()


def parse_as_of(value: object) -> datetime.date:
    """An evaluation date from a :class:`datetime.date` or an ISO ``ÅÅÅÅ-MM-DD`` text;
    anything else is an :class:`ArgumentError` with a Danish message.

    >>> parse_as_of("2015-09-01")
    datetime.date(2015, 9, 1)
    >>> parse_as_of("2015-13-01")
    Traceback (most recent call last):
    ...
    lovregler.errors.ArgumentError: as_of: datoen '2015-13-01' findes ikke
    """
    if isinstance(value, datetime.datetime):
        raise ArgumentError("as_of", "skal være en dato uden klokkeslæt (datetime.date)")
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ArgumentError(
            "as_of",
            f"skal være en dato eller tekst ÅÅÅÅ-MM-DD, ikke {type(value).__name__} {value!r}",
        )
    if not _ISO_DATE.fullmatch(value):
        raise ArgumentError("as_of", f"{value!r} er ikke en dato på formen ÅÅÅÅ-MM-DD")
    try:
        return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        raise ArgumentError("as_of", f"datoen {value!r} findes ikke") from None


def _ruleset_node(module: ast.Module, path: Path) -> ast.Ruleset:
    if not module.rulesets:
        raise CheckError(
            [Diagnostic(SourcePos(str(path), 1, 1), "filen indeholder intet regelsæt (ordning)")]
        )
    return module.rulesets[0]


@functools.cache
def _load(path: str, digest: str) -> Ruleset:
    p = Path(path)
    module = parse_cached(p)
    node = _ruleset_node(module, p)
    _raise_errors(check_imports(module, available_rule_files(p.parent)))
    vocab = load_vocabulary(p.parent)
    base = None
    if node.extends:
        base_module = parse_cached(_find(node.extends, p.parent))
        base = _ruleset_node(base_module, p)
        _raise_errors(_check_ruleset(base, vocab, None, base_module))
    warnings = _raise_errors(_check_ruleset(node, vocab, base, module))
    return Ruleset(module, node, build_plan(node, vocab, base), warnings)


def load_ruleset(name_or_path: str | Path) -> Ruleset:
    """Load a bundled ruleset by name, or a rule file by path; raise a LovreglerError
    (syntax, check, not found) with file:line:col on bad input.

    >>> load_ruleset("kontanthjælp").name
    Traceback (most recent call last):
    ...
    lovregler.errors.RulesetNotFound: ingen regelsæt ved navn 'kontanthjælp' — mente du 'kontanthjælp_aktivitetsparat'?
    """
    if not isinstance(name_or_path, str | os.PathLike):
        raise ArgumentError(
            "name_or_path", f"skal være et navn eller en sti, ikke {type(name_or_path).__name__}"
        )
    text = str(name_or_path)
    path = Path(text) if text.endswith(".lov") or Path(text).is_file() else _find(text, None)
    if not path.is_file():
        raise RulesetNotFound(f"ingen fil {text!r}")
    return _load(str(path), _digest(path))


__all__ = [
    "HistoryError",
    "LovreglerError",
    "RuleDoc",
    "Ruleset",
    "VersionDoc",
    "bundled_rulesets",
    "load_ruleset",
    "load_vocabulary",
    "parse_as_of",
]

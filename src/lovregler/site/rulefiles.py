"""What the site reads and the docutils pieces it builds from: the rule files found and loaded
(:class:`Loaded`), the paragraphs of a citation, and small node helpers (sections, tables,
references).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from .. import api, prose
from ..syntax import ast

KIND_DA = {"obligation": "Pligt", "right": "Ret", "value": "Værdi"}
DEFINITION_KIND_DA: dict[type, str] = {
    ast.SetDef: "mængde",
    ast.PatternDef: "mønster",
    ast.TimelineDef: "tidslinje",
    ast.DateDef: "dato",
}
PAGE_MARK = ".. Genereret af lovregler.site.sphinxext ud fra rulesets/ — redigér ikke."


# ───────────────────────────── finding and loading ─────────────────────────────
def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _dirs(app: Sphinx) -> list[Path]:
    return [Path(app.srcdir, d) for d in app.config.lovregler_ruleset_dirs]


def ruleset_files(dirs: Sequence[str | Path] = ()) -> dict[str, Path]:
    """Rule files by ruleset name: the extra ``dirs`` first, then the bundled rulesets."""
    found: dict[str, Path] = {}
    for folder in [*map(Path, dirs), api.bundled_dir()]:
        for path in sorted(folder.glob("*.lov")):
            name = _nfc(path.stem)
            if name != api.VOCABULARY_NAME:
                found.setdefault(name, path)
    return found


# The docs load rulesets through the API: parsing and checking reject bad input, and the
# compiler only runs when something evaluates (the docs never do).
DocRuleset = api.Ruleset


def load(name: str, dirs: Sequence[str | Path] = ()) -> DocRuleset:
    """Parse and check a ruleset by name (extra ``dirs`` first); LovreglerError on bad input."""
    path = ruleset_files(dirs).get(_nfc(name))
    if path is None:
        api.load_ruleset(name)  # raises RulesetNotFound with a did-you-mean
        path = ruleset_files(dirs)[_nfc(name)]  # pragma: no cover - found after all
    return load_path(path)


def load_path(path: Path) -> DocRuleset:
    """Parse and check one rule file and the ruleset it extends (found beside it or bundled)."""
    return api.load_ruleset(path)


def _vocabulary_node(near: Path) -> ast.VocabularyNode | None:
    for folder in (near, api.bundled_dir()):
        path = folder / f"{api.VOCABULARY_NAME}.lov"
        if path.is_file():
            module = api.parse_cached(path)
            return module.vocabularies[0] if module.vocabularies else None
    return None


@attrs.frozen
class Loaded:
    """A checked ruleset with what its page needs: base ruleset, vocabulary, prose context."""

    ruleset: DocRuleset
    base: DocRuleset | None
    ctx: prose.ProseContext

    @classmethod
    def of(cls, name: str, dirs: Sequence[str | Path]) -> Loaded:
        """Load ``name`` and the ruleset it extends."""
        ruleset = load(name, dirs)
        folder = Path(ruleset.module.file).parent
        base = load(ruleset.node.extends, [folder]) if ruleset.node.extends else None
        ctx = prose.ProseContext.for_ruleset(
            ruleset.node, base=base.node if base else None, vocabulary=_vocabulary_node(folder)
        )
        return cls(ruleset, base, ctx)

    @property
    def versions(self) -> tuple[ast.Version, ...]:
        """The versions in force, as the plan evaluates them (those of the ruleset extended)."""
        return self.ruleset.plan.versions


# ───────────────────────────── citations → paragraphs ─────────────────────────────
@attrs.frozen(order=True)
class Paragraph:
    """One ``§`` reference in a citation: the law, the paragraph number (and letter), stk."""

    law: str
    number: int
    letter: str = ""
    stk: str = ""

    def label(self) -> str:
        """``LAB 2019 § 31, stk. 5``."""
        text = f"{self.law} § {self.number}{' ' + self.letter if self.letter else ''}".strip()
        return f"{text}, stk. {self.stk}" if self.stk else text


_PARAGRAPH = re.compile(
    r"§\s*(?P<num>\d+)(?:\s?(?P<letter>[a-zæøå])\b)?"
    r"(?:,\s*stk\.\s*(?P<stk>\d+(?:\s*[–-]\s*\d+)?(?:(?:\s*,\s*|\s+og\s+)\d+(?:\s*[–-]\s*\d+)?)*))?"
)


def paragraphs(citation: str) -> list[Paragraph]:
    """The ``§`` references of a citation, each with the law it belongs to.

    >>> [p.label() for p in paragraphs("LAB 2015 § 92 og § 96, stk. 3")]
    ['LAB 2015 § 92', 'LAB 2015 § 96, stk. 3']
    >>> [p.label() for p in paragraphs("LAS § 74 c; LAB 2019 § 102, stk. 1–2 og 5")]
    ['LAS § 74 c', 'LAB 2019 § 102, stk. 1–2 og 5']
    """
    found = []
    for segment in citation.split(";"):
        law, end = "", 0
        for m in _PARAGRAPH.finditer(segment):
            # Text between two § marks names a new law unless it is only "og" or a comma.
            between = re.sub(r"^[\s,]*(og\s+)?|[\s,]*$", "", segment[end : m.start()])
            if between:
                law = between
            found.append(Paragraph(law, int(m["num"]), m["letter"] or "", m["stk"] or ""))
            end = m.end()
    return found


# ───────────────────────────── small node helpers ─────────────────────────────
_FOLD = {ord("æ"): "ae", ord("ø"): "oe", ord("å"): "aa"}


def _slug(text: str) -> str:
    folded = _nfc(text).lower().translate(_FOLD)
    return nodes.make_id(folded)


def _para(*parts: nodes.Node | str, classes: Sequence[str] = ()) -> nodes.paragraph:
    p = nodes.paragraph(classes=list(classes))
    for part in parts:
        p += nodes.Text(part) if isinstance(part, str) else part
    return p


def _strong(text: str) -> nodes.strong:
    return nodes.strong(text=text)


def _section(title: str, ident: str) -> nodes.section:
    sec = nodes.section(ids=[ident], names=[ident])
    sec += nodes.title(text=title)
    return sec


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str | nodes.Node]], cls: str
) -> nodes.table:
    table = nodes.table(classes=[cls])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in headers)
    head = nodes.thead()
    head += _row(headers)
    body = nodes.tbody()
    for row in rows:
        body += _row(row)
    group += head
    group += body
    return table


def _row(cells: Sequence[str | nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell if isinstance(cell, nodes.paragraph) else _para(cell)
        row += entry
    return row


def _ref(label: str, text: str) -> addnodes.pending_xref:
    xref = addnodes.pending_xref(
        "", refdomain="std", reftype="ref", reftarget=label, refexplicit=True, refwarn=True
    )
    xref += nodes.inline(text=text)
    return xref


def _date(d: datetime.date | None) -> str:
    return prose.format_date(d) if d else "åben"


def validity_text(v: ast.Validity | None) -> str:
    """``fra 1. januar 2014 til og med 31. december 2019``."""
    return prose.validity_phrase(v) if v else "uden tidsbegrænsning"

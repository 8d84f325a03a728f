"""The caseload's records as read from disk: the attribute and fact types of the data
contract, the memory limits, and :class:`RawRecord` (one citizen's unparsed record).
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import pyarrow as pa

from ..errors import HistoryError
from ..history import leading_id, parse_json, valid_id

#: The type of every event attribute in contract §1 ("str", "int" or "bool").
ATTRIBUTE_TYPES: dict[str, str] = {
    "ydelse": "str",
    "målgruppe": "str",
    "form": "str",
    "tilbud": "str",
    "pakke": "str",
    "klar_til_tilbud": "bool",
    "gruppe": "int",
    "ordning": "str",
    "varighed_år": "int",
    "behov": "bool",
    "indstilling": "str",
    "ansat": "bool",
    "kategori": "int",
}
#: The type of every fact in contract §1.
FACT_TYPES: dict[str, str] = {
    "uddannelse": "str",
    "psykisk_lidelse": "bool",
    "misbrug": "str",
    "i_job_eller_uddannelse": "bool",
}
_ARROW = {"str": pa.string(), "int": pa.int64(), "bool": pa.bool_()}
_BATCH_ROWS = 8_192  # rows per record batch: about 1 MB of Python objects at a time
_MAX_GROUP_ROWS = 65_536  # a grouped event log with larger row groups is rewritten
#: DuckDB's memory limit while grouping an event log (environment variable
#: ``LOVREGLER_DUCKDB_MEMORY`` overrides it). 10 million shuffled events need about this much;
#: more is spilled to disk in the scratch folder.
DUCKDB_MEMORY = "256MB"
#: The largest input record (one JSON line) read, in bytes; a longer one becomes an error
#: record without being held in memory (``--max-record-size`` overrides it).
MAX_RECORD_BYTES = 16 * 1024 * 1024
_INT_RE = re.compile(r"[+-]?[0-9]+")
_BAD_UTF8 = "_bad_utf8"  # a column added to a CSV table: the cells that were not UTF-8


@attrs.frozen
class RawRecord:
    """One input citizen, not yet validated.

    ``label`` names it in the output when its id cannot be read (``linje 17``). Exactly one
    of ``obj`` (a contract dict), ``text`` (a JSON line not yet parsed) or ``problem`` (why
    it cannot be read) is set.
    """

    label: str
    obj: dict[str, Any] | None = None
    text: str | None = None
    problem: str | None = None

    @property
    def citizen_id(self) -> str:
        """The citizen's id when it can be seen, else the label."""
        if self.obj is not None:
            return valid_id(self.obj.get("id")) or self.label
        if self.text is not None:
            return leading_id(self.text) or self.label
        return self.label

    def load(self) -> object:
        """The parsed citizen object; raises :class:`HistoryError` if it cannot be read."""
        if self.problem is not None:
            raise HistoryError(self.citizen_id, self.problem)
        if self.obj is not None:
            return self.obj
        try:
            return parse_json(self.text or "")
        except HistoryError as exc:
            raise HistoryError(self.citizen_id, f"{self.label} er {exc.message}") from None

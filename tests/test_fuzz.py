"""Fuzzing (issue 10): generated rule files and mutated histories never crash lovregler.

Properties:

- a rule file generated from the grammar either gives a :class:`LovreglerError` with a
  position, or a ruleset that compiles and evaluates every sample history, with the
  compiled evaluator and the reference interpreter agreeing;
- a mutated history either loads or gives a :class:`HistoryError`, never another exception;
- a caseload of mutated lines gives one ``citizens`` row per line in batch, never aborts.

Bounded for ``make test``; ``make fuzz`` runs the same properties fifty times longer.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import fuzz_settings, mutated_histories, mutated_lines, rule_files
from lovregler import api
from lovregler.errors import HistoryError, LovreglerError, RuleFileError
from lovregler.evaluate.plan import build_plan
from lovregler.history import History
from lovregler.syntax.parse import parse_text
from strategies import any_histories, kontanthjælp_histories

AS_OF = st.sampled_from(["2015-06-30", "2017-12-31", "2020-03-01"])


def _ruleset(source: str) -> api.Ruleset:
    """Parse and check a rule file the way ``load_ruleset`` does, without touching disk."""
    module = parse_text(source, "fuzz.lov")
    node = api._ruleset_node(module, Path("fuzz.lov"))
    vocab = api.load_vocabulary()
    warnings = api._raise_errors(api._check_ruleset(node, vocab, None, module))
    return api.Ruleset(module, node, build_plan(node, vocab, None), warnings)


@fuzz_settings(40)
@given(
    source=rule_files(),
    citizens=st.lists(kontanthjælp_histories() | any_histories(), min_size=1, max_size=2),
    as_of=AS_OF,
)
def test_a_generated_rule_file_is_an_error_or_a_working_evaluator(
    source: str, citizens: list[dict], as_of: str
) -> None:
    try:
        ruleset = _ruleset(source)
    except RuleFileError as err:
        # an error for the author: every diagnostic has a line and a column in fuzz.lov
        assert err.diagnostics
        assert all(d.pos.line >= 1 and d.pos.column >= 1 for d in err.diagnostics), str(err)
        return
    for citizen in citizens:
        history = ruleset.history(citizen)
        compiled = ruleset.evaluate(history, as_of).to_dict()
        assert ruleset.interpret(history, as_of).to_dict() == compiled, source


BASE_CITIZEN = {
    "id": "kbh-1",
    "birth_date": "1980-02-29",
    "facts": {"uddannelse": "grundskole"},
    "events": [
        {
            "type": "ydelse_start",
            "date": "2015-03-02",
            "ydelse": "kontanthjælp",
            "målgruppe": "aktivitetsparat",
        },
        {"type": "samtale", "date": "2015-03-06", "form": "personlig"},
        {"type": "tilbud_start", "date": "2015-04-01", "tilbud": "virksomhedspraktik"},
        {"type": "ydelse_slut", "date": "2016-01-31", "ydelse": "kontanthjælp"},
    ],
}


@fuzz_settings(100)
@given(obj=mutated_histories(BASE_CITIZEN))
def test_a_mutated_history_loads_or_is_a_history_error(obj: object) -> None:
    ruleset = api.load_ruleset("kontanthjælp_aktivitetsparat")
    try:
        history = History.from_dict(obj, ruleset.vocabulary)
    except HistoryError:
        return
    ruleset.evaluate(history, datetime.date(2016, 6, 1))


@fuzz_settings(100)
@given(line=mutated_lines(json.dumps(BASE_CITIZEN, ensure_ascii=False).encode()))
def test_a_mutated_json_line_loads_or_is_a_history_error(line: bytes) -> None:
    ruleset = api.load_ruleset("kontanthjælp_aktivitetsparat")
    try:
        ruleset.evaluate(History.from_json(line, ruleset.vocabulary), datetime.date(2016, 6, 1))
    except HistoryError:
        pass
    except LovreglerError as err:  # pragma: no cover - would be a bug worth seeing
        raise AssertionError(f"not a HistoryError: {err!r}") from err


@fuzz_settings(10)
@given(
    lines=st.lists(
        mutated_lines(json.dumps(BASE_CITIZEN, ensure_ascii=False).encode()),
        min_size=1,
        max_size=12,
    )
)
def test_a_batch_of_mutated_lines_has_one_row_per_line(lines: list[bytes]) -> None:
    from lovregler.caseload.batch import BatchConfig, run_batch

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        nonblank = [line for line in lines if line.strip()]
        config = BatchConfig(("kontanthjælp_aktivitetsparat",), datetime.date(2016, 6, 1))
        summary = run_batch(path, Path(tmp) / "out", config, workers=1)
        people = pq.read_table(Path(tmp) / "out" / "citizens.parquet").to_pylist()
        assert summary.citizens == len(people) == len(nonblank)
        errors = pq.read_table(Path(tmp) / "out" / "errors.parquet").to_pylist()
        bad = {p["citizen_id"] for p in people if p["status"] == "error"}
        assert bad == {e["citizen_id"] for e in errors}

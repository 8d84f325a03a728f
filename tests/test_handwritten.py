"""The hand-written benchmark evaluator agrees with the compiled one on every history.

``benchmarks/handwritten.py`` is the yardstick the compiled evaluator is timed against, so it
must compute the same thing: the same obligations, rights and values (``Result.key()``) on the
hypothesis histories of the property tests and on the benchmark's own seeded caseload.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from lovregler import load_ruleset
from strategies import as_of_dates, kontanthjælp_histories

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks package

from benchmarks.data import KONTANTHJAELP_AS_OF, kontanthjaelp_citizens  # noqa: E402
from benchmarks.handwritten import Handwritten  # noqa: E402

RULESETS = ["kontanthjælp_aktivitetsparat", "kbh_kontanthjælp_aktivitetsparat"]


@pytest.mark.parametrize("name", RULESETS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=kontanthjælp_histories(), as_of=as_of_dates)
def test_handwritten_agrees_with_compiled(
    name: str, obj: dict[str, object], as_of: datetime.date
) -> None:
    rs = load_ruleset(name)
    h = rs.history(obj)
    assert Handwritten(rs).evaluate(h, as_of).key() == rs.evaluate(h, as_of).key()


@pytest.mark.parametrize(
    "as_of", [KONTANTHJAELP_AS_OF, datetime.date(2016, 2, 29), datetime.date(2020, 1, 1)]
)
def test_handwritten_agrees_on_the_benchmark_caseload(as_of: datetime.date) -> None:
    rs = load_ruleset("kbh_kontanthjælp_aktivitetsparat")
    hand = Handwritten(rs)
    for obj in kontanthjaelp_citizens(400, seed=7):
        h = rs.history(obj)
        assert hand.evaluate(h, as_of).key() == rs.evaluate(h, as_of).key(), h.id


def test_results_read_the_same() -> None:
    """The same rule records, so the explanations a caseworker reads are the same too."""
    rs = load_ruleset("kbh_kontanthjælp_aktivitetsparat")
    h = rs.history(kontanthjaelp_citizens(1, seed=3)[0])
    assert Handwritten(rs).evaluate(h, KONTANTHJAELP_AS_OF).to_dict() == (
        rs.evaluate(h, KONTANTHJAELP_AS_OF).to_dict()
    )

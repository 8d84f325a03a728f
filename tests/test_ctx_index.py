"""The per-type index of a compiled evaluation's context, built only when read (``Ctx`` with
``index=False``), and the periods such a context builds without it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lovregler import load_ruleset
from lovregler.evaluate.compile import generate
from lovregler.evaluate.context import Ctx, IndexOnFirstUse, _build_periods
from lovregler.history import History
from lovregler.timecalc import INF, parse_iso
from strategies import any_histories, refusion_histories

REFUSION = load_ruleset("refusion")
VOCAB = REFUSION.vocabulary


def D(s: str) -> int:
    return parse_iso(s)


def _history() -> History:
    return History.from_dict(
        {
            "id": "b1",
            "birth_date": "1980-01-01",
            "events": [
                {"type": "ydelse_start", "date": "2015-01-05", "ydelse": "sygedagpenge"},
                {"type": "samtale", "date": "2015-02-02", "form": "personlig"},
                {"type": "ydelse_slut", "date": "2015-03-01", "ydelse": "sygedagpenge"},
                # the day after the end: continues the same period (catalogue §0)
                {"type": "ydelse_start", "date": "2015-03-02", "ydelse": "sygedagpenge"},
                {"type": "ydelse_slut", "date": "2015-04-30", "ydelse": "sygedagpenge"},
                {"type": "ydelse_start", "date": "2015-06-01", "ydelse": "kontanthjælp"},
            ],
        },
        VOCAB,
    )


def test_the_index_is_built_when_first_read_and_kept_on_the_history() -> None:
    h = _history()
    c = Ctx(h, D("2016-01-01"), VOCAB, index=False)
    assert type(c.index) is IndexOnFirstUse and "_by_type" not in h.__dict__
    days, events = c.index.get("samtale", ([], []))
    assert days == [D("2015-02-02")] and [e.type for e in events] == ["samtale"]
    assert "_by_type" in h.__dict__  # built now, and kept for every later read
    assert c.of_type("ydelse_start")[0] == [D("2015-01-05"), D("2015-03-02"), D("2015-06-01")]
    assert c.of_type("afslag") == ([], [])
    # three types: ydelse_start, samtale, ydelse_slut
    assert dict(c.index) == dict(h.by_type(D("2016-01-01"))) and len(c.index) == 3
    # cut at an earlier day as the index itself is: the kontanthjælp start is later
    early = Ctx(h, D("2015-03-15"), VOCAB, index=False)
    assert early.index["ydelse_start"][0] == [D("2015-01-05"), D("2015-03-02")]


def test_periods_without_the_index_are_the_periods_from_it() -> None:
    # sygedagpenge 2015-01-05..2015-03-01 and from 2015-03-02 is one period to 2015-04-30;
    # kontanthjælp from 2015-06-01 is open; as of 2015-03-15 the second sygedagpenge start
    # is open (its end is later)
    h = _history()
    for as_of, sygedagpenge in (
        ("2016-01-01", [(D("2015-01-05"), D("2015-04-30"), 0)]),
        ("2015-03-15", [(D("2015-01-05"), INF, 0)]),
    ):
        lazy = Ctx(h, D(as_of), VOCAB, index=False)
        eager = Ctx(h, D(as_of), VOCAB)
        assert lazy.periods("ydelse")["sygedagpenge"] == sygedagpenge
        assert lazy.periods("ydelse") == eager.periods("ydelse")
        assert type(lazy.index) is IndexOnFirstUse  # the periods did not need it


@settings(max_examples=150, deadline=None)
@given(st.one_of(any_histories(), refusion_histories()))
def test_periods_without_the_index_agree_with_the_index_route(obj: dict[str, object]) -> None:
    h = History.from_dict(obj, VOCAB)
    for as_of in (D("2015-06-30"), D("2019-12-31")):
        for name, decl in VOCAB.periods.items():
            lazy = Ctx(h, as_of, VOCAB, index=False)
            assert lazy.periods(name) == _build_periods(Ctx(h, as_of, VOCAB), decl)


def test_only_an_evaluator_that_reads_periods_alone_goes_without_the_index() -> None:
    assert "Ctx(history, as_of, VOCAB, index=False)" in generate(REFUSION.plan)[0]
    kbh = load_ruleset("kbh_kontanthjælp_aktivitetsparat")
    # (kbh's gate has read the index already, and hands it over)
    assert "Ctx(history, as_of, VOCAB, built=ix)\n" in generate(kbh.plan)[0]

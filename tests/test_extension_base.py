"""An extension that keeps its base's rules takes the base's entries from the base's own
evaluation (``plan.factor_base``, ``compile.py``): Copenhagen's service level over the law's
kontanthjælp rules evaluates only its own rule, and a batch evaluates the law's rules once
for both rulesets."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import msgspec
import pytest

from lovregler import load_ruleset
from lovregler.api import Ruleset, bundled_dir
from lovregler.caseload.synth import synth
from lovregler.errors import CheckError, EvaluationError
from lovregler.evaluate.compile import compile_plan
from lovregler.evaluate.context import share_derived
from lovregler.evaluate.plan import factor_base

KBH = "kbh_kontanthjælp_aktivitetsparat"
BASE = "kontanthjælp_aktivitetsparat"
AS_OF = datetime.date(2018, 12, 31)


def _on_kontanthjælp(citizen: dict[str, object]) -> bool:
    events = citizen["events"]
    assert isinstance(events, list)
    return any(e.get("ydelse") == "kontanthjælp" for e in events)


def test_copenhagen_keeps_the_law_and_adds_one_rule() -> None:
    factored = factor_base(load_ruleset(KBH).plan)
    assert factored is not None
    base, own = factored
    assert base.name == BASE
    assert [s.rule.id for s in own.spans] == ["samtale_hver_tredje_måned"]
    compiled = compile_plan(load_ruleset(KBH).plan)
    # on its own the extension evaluates every rule (no second context, forløb or sort);
    # where a batch shares the store it hands over to its part, which has the base's
    # entries from the base's own evaluation and evaluates only its own rule
    assert "'første_samtale'" in compiled.source
    assert "return keep_result(history, as_of, RESULT_KEY, PART(history, as_of))" in compiled.source
    assert compiled.part is not None
    assert "base = BASE(history, as_of)" in compiled.part.source
    assert "'første_samtale'" not in compiled.part.source


@pytest.mark.parametrize("shared", [False, True])
def test_the_extension_gives_what_it_gave_alone(shared: bool) -> None:
    kbh, law = load_ruleset(KBH), load_ruleset(BASE)
    citizens = [c for c in synth(80, seed=11) if _on_kontanthjælp(c)][:25]
    assert citizens
    seen: set[str] = set()
    for citizen in citizens:
        history = kbh.history(citizen)
        if shared:  # as a batch does: the base's result is kept and taken by the other
            share_derived(history, AS_OF.toordinal())
            assert law.evaluate(history, AS_OF).key() == law.interpret(history, AS_OF).key()
        result = kbh.evaluate(history, AS_OF)
        assert result.ruleset == KBH
        assert result.key() == kbh.interpret(history, AS_OF).key()
        seen |= {e.rule.id for e in result.entries()}
    # the law's rules among Copenhagen's entries, and Copenhagen's own
    assert {"første_samtale", "fire_samtaler_årligt", "samtale_hver_tredje_måned"} <= seen


def test_a_batch_evaluates_the_base_once() -> None:
    kbh, law = load_ruleset(KBH), load_ruleset(BASE)
    citizen = next(c for c in synth(80, seed=11) if _on_kontanthjælp(c))
    history = kbh.history(citizen)
    share_derived(history, AS_OF.toordinal())
    first = kbh.evaluate(history, AS_OF)
    # the law's ruleset finds the result the extension had its base compute
    assert law.evaluate(history, AS_OF) is law.evaluate(history, AS_OF)
    base_entries = set(map(id, law.evaluate(history, AS_OF).obligations))
    assert base_entries <= set(map(id, first.obligations))


REPLACING = """importer ordforråd

ordning kbh_ny "Ny"
  udvider kontanthjælp_aktivitetsparat
  hjemmel "Test"

  pligt første_samtale "Første samtale"
    erstatter
    ansvarlig jobcenter
    frist 2 uger efter forløbets start
    opfyldes af samtale
    hjemmel "Test"
"""


def _extension(tmp_path: Path, text: str) -> Ruleset:
    for name in ("ordforråd.lov", f"{BASE}.lov"):
        shutil.copy(bundled_dir() / name, tmp_path / name)
    (tmp_path / "kbh_ny.lov").write_text(text, "utf-8")
    return load_ruleset(tmp_path / "kbh_ny.lov")


def test_an_extension_that_replaces_a_base_rule_evaluates_everything_itself(
    tmp_path: Path,
) -> None:
    rs = _extension(tmp_path, REPLACING)
    assert factor_base(rs.plan) is None
    history = rs.history(
        {
            "id": "a",
            "birth_date": "1980-01-01",
            "events": [
                {
                    "type": "ydelse_start",
                    "date": "2015-03-02",
                    "ydelse": "kontanthjælp",
                    "målgruppe": "aktivitetsparat",
                },
            ],
        }
    )
    due = {o.rule.id: o.due for o in rs.evaluate(history, AS_OF).obligations}
    # the replaced rule: 2015-03-02 + 2 uger = 2015-03-16 (the law's: + 1 uge = 2015-03-09)
    assert due["første_samtale"] == datetime.date(2015, 3, 16)


SHADOWING = """importer ordforråd

ordning kbh_ny "Ny"
  udvider kontanthjælp_aktivitetsparat
  hjemmel "Test"
  mængde ret_og_pligt_tilbud = {løntilskud}

  pligt ekstra_samtale "Ekstra samtale"
    ansvarlig jobcenter
    frist 2 uger efter forløbets start
    opfyldes af samtale
    hjemmel "Test"
"""


def test_an_extension_cannot_give_a_base_name_a_new_meaning(tmp_path: Path) -> None:
    # The base's rules would read the extension's set, and be other rules there; the checker
    # refuses it (and factor_base would not split such a plan either).
    with pytest.raises(CheckError, match="findes allerede i grundordningen"):
        _extension(tmp_path, SHADOWING)


@pytest.mark.parametrize("shared", [False, True])
def test_a_failure_is_reported_once_with_its_citizen(shared: bool) -> None:
    kbh = load_ruleset(KBH)
    compiled = compile_plan(kbh.plan)
    history = kbh.history({"id": "b", "birth_date": "1970-01-01", "events": []})
    if shared:  # the failure comes from the base's evaluator, called by the batch part
        share_derived(history, AS_OF.toordinal())
    msgspec.structs.force_setattr(history, "events", None)  # the rule code fails reading it
    with pytest.raises(EvaluationError) as err:
        compiled.evaluate(history, AS_OF.toordinal())
    assert "borger 'b'" in str(err.value)
    assert "fejl under evaluering: EvaluationError" not in str(err.value)

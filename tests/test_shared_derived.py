"""What one ruleset derives from a history is shared with the next ruleset evaluating it
(``evaluate.context.shared_derived``): the results stay those of each ruleset alone."""

from __future__ import annotations

import datetime
from typing import Any

from lovregler.api import bundled_rulesets, load_ruleset
from lovregler.caseload.synth import synth
from lovregler.evaluate.context import share_derived
from lovregler.history import History

AS_OF = datetime.date(2018, 12, 31)


def test_rulesets_sharing_a_history_give_what_each_gives_alone() -> None:
    # The periods, own periods and period timelines one ruleset derives from a history are
    # kept on it for the next ruleset evaluating it on the same day (context.shared_derived).
    # Sharing them must not change a result: every bundled ruleset, in both orders, on one
    # history, at two dates in turn, against a fresh history per evaluation.
    rulesets = [load_ruleset(name) for name in bundled_rulesets()]
    days = (datetime.date(2016, 6, 30), AS_OF)
    for citizen in synth(60, seed=23):
        alone = {
            (r.name, day): r.evaluate(History.from_dict(citizen, r.vocabulary), day).key()
            for r in rulesets
            for day in days
        }
        shared = History.from_dict(citizen, rulesets[0].vocabulary)
        for order in (rulesets, rulesets[::-1]):
            for day in days:
                share_derived(shared, day.toordinal())
                for r in order:
                    assert r.evaluate(shared, day).key() == alone[r.name, day]


def _on_kontanthjælp(citizen: dict[str, Any]) -> bool:
    return any(e.get("ydelse") == "kontanthjælp" for e in citizen["events"])


def test_nothing_is_kept_on_a_history_unless_asked() -> None:
    # Evaluating a history again (a benchmark's rounds) must redo the work each time: only a
    # caller that offers the store (the batch) gets the derived periods kept on the history.
    ruleset = load_ruleset("kbh_kontanthjælp_aktivitetsparat")
    # a citizen on kontanthjælp (any other is turned away by the ruleset's gate at once)
    citizen = next(c for c in synth(50, seed=23) if _on_kontanthjælp(c))
    history = History.from_dict(citizen, ruleset.vocabulary)
    ruleset.evaluate(history, AS_OF)
    assert "_derived" not in history.__dict__
    share_derived(history, AS_OF.toordinal())
    ruleset.evaluate(history, AS_OF)
    assert history.__dict__["_derived"][1]  # periods were kept for the next ruleset

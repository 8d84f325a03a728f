"""The HTTP service (``lovregler serve``): the contract with httpx, the OpenAPI document
with schemathesis.

Expected results are worked out by hand from the catalogue (§1, ``første_samtale``: a
samtale within 1 uge after the forløb starts); everything else is compared with what the
Python API and the CLI say for the same input, because the service must say the same.
"""

from __future__ import annotations

import copy
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.checks import positive_data_acceptance

import lovregler
from lovregler import EvaluationError, HistoryError, _native, bundled_rulesets, load_ruleset
from lovregler import service as service_module
from lovregler.cli import main
from lovregler.schema import document
from lovregler.service import MAX_BATCH, Registry, create_app

ROOT = Path(__file__).resolve().parents[1]
BORGER = json.loads((ROOT / "examples" / "borger-0001.json").read_text("utf-8"))
KH = "kontanthjælp_aktivitetsparat"
# One registry for the module: loading and compiling every ruleset once is the point.
REGISTRY = Registry()
APP = create_app(max_body=200_000, registry=REGISTRY)


@pytest.fixture
def client() -> httpx.Client:
    # Starlette's TestClient is an httpx.Client that drives the ASGI app in-process.
    return TestClient(APP, base_url="http://lovregler")


def _valid(name: str, data: object) -> None:
    Draft202012Validator(
        document(name), format_checker=Draft202012Validator.FORMAT_CHECKER
    ).validate(data)


def test_evaluate_one_history_says_what_the_cli_says(
    client: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = client.post(f"/rulesets/{KH}/evaluate", params={"as_of": "2015-09-01"}, json=BORGER)
    assert answer.status_code == 200
    body = answer.json()
    # Forløb from ydelse_start{aktivitetsparat} 2015-03-02; første_samtale due 2015-03-02 + 7
    # days = 2015-03-09; the samtale of 2015-03-06 is on or before it: fulfilled.
    first = body["obligations"][0]
    assert (first["rule"], first["trigger"], first["due"], first["status"]) == (
        "første_samtale",
        "2015-03-02",
        "2015-03-09",
        "fulfilled",
    )
    assert first["fulfilled_on"] == "2015-03-06"
    _valid("result", body)
    path = ROOT / "examples" / "borger-0001.json"
    assert (
        main(["evaluate", "--ruleset", KH, "--as-of", "2015-09-01", "--format", "json", str(path)])
        == 0
    )
    assert body == json.loads(capsys.readouterr().out)


def test_every_answer_names_the_version_and_the_rule_text(client: httpx.Client) -> None:
    rs = load_ruleset(KH)
    answer = client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", json=BORGER)
    assert answer.headers["Lovregler-Version"] == lovregler.__version__
    assert answer.headers["Ruleset-Hash"] == rs.content_hash
    for other in (client.get("/health"), client.get("/rulesets"), client.get("/nowhere")):
        assert other.headers["Lovregler-Version"] == lovregler.__version__
        assert other.headers["Ruleset-Hash"] == REGISTRY.hash


def test_content_hash_follows_the_rule_text(tmp_path: Path) -> None:
    for name in ("kontanthjælp_aktivitetsparat.lov", "ordforråd.lov"):
        shutil.copy(ROOT / "rulesets" / name, tmp_path / name)
    copy_ = tmp_path / "kontanthjælp_aktivitetsparat.lov"
    assert load_ruleset(copy_).content_hash == load_ruleset(KH).content_hash
    copy_.write_text(copy_.read_text("utf-8") + "\n# en kommentar\n", "utf-8")
    assert load_ruleset(copy_).content_hash != load_ruleset(KH).content_hash


def test_a_batch_keeps_order_and_puts_each_error_in_its_place(client: httpx.Client) -> None:
    bad = copy.deepcopy(BORGER)
    bad["id"] = "borger-0002"
    bad["events"][1]["type"] = "samtle"
    other = dict(copy.deepcopy(BORGER), id="borger-0003")
    answer = client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", json=[BORGER, bad, other, 7])
    assert answer.status_code == 200
    items = answer.json()
    assert [item.get("citizen") for item in items] == [
        "borger-0001",
        "borger-0002",
        "borger-0003",
        None,
    ]
    rs = load_ruleset(KH)
    with pytest.raises(HistoryError) as err:
        rs.history(bad)
    assert items[1] == err.value.to_dict()
    assert items[1]["event"] == 1 and items[1]["field"] == "type"
    assert "samtale" in items[1]["message"]  # the did-you-mean
    assert items[2]["obligations"] == items[0]["obligations"]
    assert items[3]["message"].endswith("en borger skal være et JSON-objekt (forventet: {...})")


def test_more_than_the_batch_limit_is_refused(client: httpx.Client) -> None:
    answer = client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", json=[{}] * (MAX_BATCH + 1))
    assert answer.status_code == 422
    assert answer.json()["field"] == "body"


@pytest.mark.parametrize(
    ("url", "body", "status", "field"),
    [
        ("/rulesets/ingen/evaluate?as_of=2015-09-01", BORGER, 404, "ruleset"),
        (f"/rulesets/{KH}/evaluate?as_of=2015-13-01", BORGER, 422, "as_of"),
        (f"/rulesets/{KH}/evaluate?as_of=01-09-2015", BORGER, 422, "as_of"),
        (f"/rulesets/{KH}/evaluate", BORGER, 422, "as_of"),
        (f"/rulesets/{KH}/evaluate?as_of=2015-09-01", {"id": "x", "events": []}, 422, "birth_date"),
        (f"/rulesets/{KH}/evaluate?as_of=2015-09-01", "borger", 422, None),
        (f"/rulesets/{KH}/explain?as_of=2015-09-01&rule=første", BORGER, 404, "rule"),
        (f"/rulesets/{KH}/explain?as_of=2015-09-01", BORGER, 422, "rule"),
    ],
)
def test_bad_input_gets_a_danish_4xx_with_the_error_fields(
    client: httpx.Client, url: str, body: object, status: int, field: str | None
) -> None:
    answer = client.post(url, json=body)
    assert answer.status_code == status
    error = answer.json()
    _valid("error", error)
    assert error["field"] == field
    assert "Traceback" not in answer.text


def test_a_body_that_is_not_json_is_a_400(client: httpx.Client) -> None:
    answer = client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", content=b'{"id": ')
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("kroppen er ikke gyldig JSON")


def test_a_body_over_the_limit_is_refused_also_when_streamed(client: httpx.Client) -> None:
    big = json.dumps([BORGER] * 800).encode()
    assert len(big) > 200_000  # the limit APP was made with
    declared = client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", content=big)
    assert declared.status_code == 413
    streamed = client.post(
        f"/rulesets/{KH}/evaluate?as_of=2015-09-01",
        content=(big[i : i + 50_000] for i in range(0, len(big), 50_000)),
    )
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    assert streamed.json()["field"] == "body"


def test_explain_gives_the_rule_and_its_entries(client: httpx.Client) -> None:
    answer = client.post(
        f"/rulesets/{KH}/explain",
        params={"as_of": "2015-09-01", "rule": "første_samtale"},
        json=BORGER,
    )
    assert answer.status_code == 200
    body = answer.json()
    rs = load_ruleset(KH)
    assert body["rule"]["citation"] == rs.rule("første_samtale").citation
    assert body["entries"] == [
        json.loads(json.dumps(e.to_dict()))
        for e in rs.explain(BORGER, "2015-09-01", "første_samtale")
    ]
    assert body["entries"][0]["explanation"][1] == "Fristen er 1 uge efter: 2015-03-09."


def test_rulesets_are_listed_with_their_hashes_and_rules(client: httpx.Client) -> None:
    listed = client.get("/rulesets").json()
    assert [r["name"] for r in listed] == bundled_rulesets()
    assert {r["name"]: r["hash"] for r in listed}[KH] == load_ruleset(KH).content_hash
    one = client.get(f"/rulesets/{KH}").json()
    # Catalogue §1: LAB 2015 in force 2014-01-01 to 2019-12-31, LAB 2019 from 2020-01-01.
    assert [(v["name"], v["from"], v["until"]) for v in one["versions"]] == [
        ("lab2015", "2014-01-01", "2019-12-31"),
        ("lab2019", "2020-01-01", None),
    ]
    assert [r["id"] for r in one["rules"]] == [r.id for r in load_ruleset(KH).rules]
    assert client.get("/rulesets/ingen").status_code == 404


def test_rulesets_are_loaded_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = service_module.load_ruleset

    def counting(name: str) -> Any:
        calls.append(name)
        return real(name)

    monkeypatch.setattr(service_module, "load_ruleset", counting)
    app = create_app()
    assert sorted(calls) == bundled_rulesets()
    client = TestClient(app)
    for _ in range(3):
        assert (
            client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", json=BORGER).status_code == 200
        )
    assert len(calls) == len(bundled_rulesets())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_lovregler_serve_answers_on_its_port() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lovregler.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.2)
        assert health.json() == {
            "status": "ok",
            "version": lovregler.__version__,
            "rulesets": len(bundled_rulesets()),
            "compiled": _native.active(),  # the server, a fresh process, decides as this one
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


# --------------------------------------------------------------------------- schemathesis

SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@SCHEMA.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_openapi_document_holds(case: Any) -> None:
    # No 5xx, status codes, content types, headers and bodies as documented, schema-invalid
    # input refused. Not "schema-valid input accepted": a history can keep the schema and
    # still break the contract where no schema reaches (a tilbud_slut with no tilbud open).
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_a_fault_of_ours_is_a_500_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("simulated bug")

    rs = REGISTRY.get(KH)
    monkeypatch.setattr(rs, "evaluate", broken)
    client = TestClient(APP, raise_server_exceptions=False)
    answer = client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", json=BORGER)
    assert answer.status_code == 500
    assert answer.json()["message"] == "intern fejl (KeyError); se tjenestens log"
    assert "Traceback" not in answer.text and "simulated" not in answer.text
    assert answer.headers["Lovregler-Version"] == lovregler.__version__

    def failing_rule(*args: object, **kwargs: object) -> object:
        raise EvaluationError("r")

    # A rule that fails is a 500 for one citizen; in a batch the failure stays in its place
    # and the other citizens are still answered.
    monkeypatch.setattr(rs, "evaluate", failing_rule)
    assert client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", json=BORGER).status_code == 500
    batch = client.post(f"/rulesets/{KH}/evaluate?as_of=2015-09-01", json=[BORGER, BORGER])
    assert batch.status_code == 200
    assert [item["message"] for item in batch.json()] == ["r", "r"]

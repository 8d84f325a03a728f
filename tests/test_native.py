"""The hot path compiled by mypyc (lovregler._native): used only when built from the sources
in the tree, and giving exactly what the sources give."""

from __future__ import annotations

import doctest
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lovregler import _native
from lovregler.api import bundled_rulesets, load_ruleset
from lovregler.caseload.synth import synth

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = ".cpython-311-x86_64-linux-gnu.so"


def test_a_current_build_is_the_code_that_runs() -> None:
    # make sets LOVREGLER_EXPECT_NATIVE: under make test a build that failed, or a module
    # that silently ran from its source, fails here instead of only slowing the benchmarks
    expected = os.environ.get("LOVREGLER_EXPECT_NATIVE") == "1"
    if not expected and not _native.built():
        pytest.skip("the compiled modules are not built here (make native builds them)")
    if os.environ.get(_native.PURE_ENV, "") not in ("", "0"):
        pytest.skip(f"{_native.PURE_ENV} is set")
    behind = _native.stale()
    assert behind == [], f"built from other sources than {behind}: run make native"
    assert _native.active()


@pytest.mark.parametrize("module", _native.MODULES)
def test_the_doctests_of_a_compiled_module_pass_on_its_source(module: str) -> None:
    results = doctest.testmod(_native.pure_copy(module))
    assert results.failed == 0


def _fake_package(tmp_path: Path) -> Path:
    """A package folder with the compiled modules' sources, an extension file beside each and
    the manifest of a build of exactly those sources."""
    package = tmp_path / "lovregler"
    digests = {}
    for module in _native.MODULES:
        source = _native.source_path(module)
        copy = _native.source_path(module, package)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
        copy.with_suffix(SUFFIX).write_bytes(b"")
        digests[module] = _native.source_digest(copy)
    (package / _native.MANIFEST).write_text(json.dumps(digests), encoding="utf-8")
    return package


def test_a_build_of_the_same_sources_is_current(tmp_path: Path) -> None:
    package = _fake_package(tmp_path)
    assert _native.built(package)
    assert _native.stale(package) == []


def test_an_edited_source_makes_its_build_stale(tmp_path: Path) -> None:
    package = _fake_package(tmp_path)
    weeks = _native.source_path("lovregler.evaluate.weeks", package)
    weeks.write_text(weeks.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _native.stale(package) == ["lovregler.evaluate.weeks"]


def test_a_missing_manifest_or_extension_makes_the_build_stale(tmp_path: Path) -> None:
    package = _fake_package(tmp_path)
    _native.source_path("lovregler.history.fast", package).with_suffix(SUFFIX).unlink()
    assert _native.stale(package) == ["lovregler.history.fast"]
    (package / _native.MANIFEST).unlink()
    assert _native.stale(package) == list(_native.MODULES)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"digests"', ""])
def test_a_manifest_that_is_not_a_build_record_makes_the_build_stale(
    tmp_path: Path, text: str
) -> None:
    package = _fake_package(tmp_path)
    (package / _native.MANIFEST).write_text(text, encoding="utf-8")
    assert _native.stale(package) == list(_native.MODULES)


def test_nothing_built_means_the_sources_without_a_word(tmp_path: Path) -> None:
    package = _fake_package(tmp_path)
    for module in _native.MODULES:
        _native.source_path(module, package).with_suffix(SUFFIX).unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _native.choose(package) is False


def test_a_stale_build_warns_and_every_module_comes_from_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if f is not None])
    monkeypatch.delenv(_native.PURE_ENV, raising=False)
    package = _fake_package(tmp_path)
    periods = _native.source_path("lovregler.evaluate.periods", package)
    periods.write_text(periods.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.warns(RuntimeWarning, match=r"lovregler\.evaluate\.periods.*make native"):
        assert _native.choose(package) is False
    finder = sys.meta_path[0]
    for module in _native.MODULES:  # all of them, not only the edited one
        spec = finder.find_spec(module, None)
        assert spec is not None and spec.origin == str(_native.source_path(module, package))
    assert finder.find_spec("lovregler.api", None) is None


def _results(env: dict[str, str]) -> dict[str, object]:
    """Every bundled ruleset's results for 300 synthetic citizens at two dates, computed in a
    fresh process with the given environment."""
    code = (
        "import json, sys\n"
        "from lovregler import _native\n"
        "from tests.test_native import all_results\n"
        "json.dump({'native': _native.active(), 'results': all_results()}, sys.stdout)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def all_results() -> dict[str, list[object]]:
    """The results (contract dicts) of every bundled ruleset for a synthetic caseload."""
    citizens = list(synth(300, seed=7))
    return {
        name: [
            load_ruleset(name).evaluate(c, as_of).to_dict()
            for c in citizens
            for as_of in ("2016-06-30", "2018-12-31")
        ]
        for name in bundled_rulesets()
    }


def test_the_compiled_modules_give_what_their_sources_give() -> None:
    if not _native.built():
        pytest.skip("the compiled modules are not built here (make native builds them)")
    compiled = _results({_native.PURE_ENV: ""})
    source = _results({_native.PURE_ENV: "1"})
    assert compiled["native"] is True and source["native"] is False
    assert compiled["results"] == source["results"]

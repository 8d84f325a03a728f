"""The compiler: untrusted rule text never executes, failures point at rule lines."""

from __future__ import annotations

import ast as pyast
import shutil
from pathlib import Path

import msgspec
import pytest

from lovregler import load_ruleset
from lovregler.api import bundled_dir
from lovregler.errors import EvaluationError, RuleSyntaxError
from lovregler.evaluate.compile import compile_plan
from lovregler.syntax.parse import parse_text

EVIL_TEXT = '\'"); __import__("os")._exit(3); ("\\\n"""'

RULESET = '''importer ordforråd

ordning ondskab """Titel med "citat", \'\'\' og \\ og
linjeskift"""
  hjemmel "§ 1 \\"); __import__(\\"os\\")._exit(3) #"
  forløb når ydelse kontanthjælp
  version v1 "V" gælder fra 2014-01-01
    pligt __import__ """\'\'\'); __import__("os")._exit(3); (\'\'\'"""
      frist 1 uge efter forløbets start
      opfyldes af tilbud_start hvor pakke = "a\\"); __import__(\\"os\\")._exit(3); (\\""
      hjemmel """\\"\\"\\"; exec(\'raise SystemExit\')"""
'''


def _evil_ruleset(tmp_path: Path) -> Path:
    shutil.copy(bundled_dir() / "ordforråd.lov", tmp_path / "ordforråd.lov")
    path = tmp_path / "ondskab.lov"
    path.write_text(RULESET, "utf-8")
    return path


def test_rule_text_is_only_quoted_in_generated_code(tmp_path: Path) -> None:
    rs = load_ruleset(_evil_ruleset(tmp_path))
    source = compile_plan(rs.plan).source
    tree = pyast.parse(source)
    # Every name called in the generated module is ours: none comes from the rule file.
    called = {
        n.func.id
        for n in pyast.walk(tree)
        if isinstance(n, pyast.Call) and isinstance(n.func, pyast.Name)
    }
    assert "__import__" not in called and "exec" not in called
    literals = {
        n.value
        for n in pyast.walk(tree)
        if isinstance(n, pyast.Constant) and isinstance(n.value, str)
    }
    assert 'a"); __import__("os")._exit(3); ("' in literals


def test_rule_text_round_trips_and_nothing_executes(tmp_path: Path) -> None:
    rs = load_ruleset(_evil_ruleset(tmp_path))
    history = rs.history(
        {
            "id": "b",
            "birth_date": "1970-01-01",
            "events": [
                {"type": "ydelse_start", "date": "2015-03-02", "ydelse": "kontanthjælp"},
                {
                    "type": "tilbud_start",
                    "date": "2015-03-04",
                    "tilbud": "løntilskud",
                    "pakke": 'a"); __import__("os")._exit(3); ("',
                },
            ],
        }
    )
    result = rs.evaluate(history, "2015-04-01")  # the process would have exited if text ran
    (ob,) = result.obligations
    assert ob.rule.id == "__import__"
    assert ob.rule.title == """\'\'\'); __import__("os")._exit(3); (\'\'\'"""
    assert ob.status == "fulfilled"  # the strange pakke text compared equal, as text
    assert rs.title == "Titel med \"citat\", ''' og \\ og\nlinjeskift"
    assert ob.rule.citation == '\\"\\"\\"; exec(\'raise SystemExit\')'


def test_a_name_cannot_carry_code() -> None:
    with pytest.raises(RuleSyntaxError) as err:
        parse_text('ordning a "t" pligt x(__import__) "P"', "x.lov")
    assert "x.lov:1:" in str(err.value)


def test_show_prints_readable_source() -> None:
    source = compile_plan(load_ruleset("kontanthjælp_aktivitetsparat").plan).source
    compile(source, "<test>", "exec")
    assert "def evaluate(history, as_of):" in source
    assert "# 'første_samtale'" in source


def test_runtime_failure_points_at_rule_line(tmp_path: Path) -> None:
    rs = load_ruleset("kontanthjælp_aktivitetsparat")
    compiled = compile_plan(rs.plan)
    history = rs.history({"id": "b", "birth_date": "1970-01-01", "events": []})
    # Break the history object so the rule code fails while reading it (it is frozen).
    msgspec.structs.force_setattr(history, "events", None)
    with pytest.raises(EvaluationError) as err:
        compiled.evaluate(history, 735659)
    assert "borger 'b'" in str(err.value)


def test_failure_inside_a_rule_maps_to_its_line() -> None:
    rs = load_ruleset("kontanthjælp_aktivitetsparat")
    compiled = compile_plan(rs.plan)
    first_rule_line = next(line for line, pos in sorted(compiled.line_map.items()) if pos.line)
    pos = compiled.line_map[first_rule_line]
    assert pos.file.endswith("kontanthjælp_aktivitetsparat.lov")
    source_line = Path(pos.file).read_text("utf-8").splitlines()[pos.line - 1]
    assert source_line.strip().startswith(("pligt", "ret", "frist", "opfyldes"))


# ───────────────────────────── generated code a reviewer can read ─────────────────────────────
def _free_names(source: str) -> set[str]:
    """The names generated code uses without defining them (module level or inside)."""
    import builtins
    import symtable

    top = symtable.symtable(source, "<generated>", "exec")
    defined = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    used: set[str] = set()
    tables = [top]
    while tables:
        table = tables.pop()
        tables.extend(table.get_children())
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (table is top or symbol.is_global()):
                used.add(symbol.get_name())
    return used - defined - set(dir(builtins))


@pytest.mark.parametrize(
    "name",
    [
        "kontanthjælp_aktivitetsparat",
        "kbh_kontanthjælp_aktivitetsparat",
        "sygedagpenge",
        "refusion",
    ],
)
def test_generated_code_only_calls_what_the_runtime_exports(name: str) -> None:
    from lovregler.evaluate import runtime

    compiled = compile_plan(load_ruleset(name).plan)
    source = compiled.whole_source
    # INFOS, VOCAB, BASE, PART and RESULT_KEY are handed in by Compiled (the rule documentation,
    # the vocabulary, the base's evaluator, an extension's batch part and the key its result
    # is kept under)
    assert _free_names(source) <= set(runtime.__all__) | {
        "INFOS",
        "VOCAB",
        "BASE",
        "PART",
        "RESULT_KEY",
    }
    assert "from lovregler.evaluate.runtime import *" in source
    assert "and True" not in source
    assert "_cmp" not in source and "def first_day_after" not in source


def test_identical_rule_bodies_share_one_function() -> None:
    # helhedsorienteret_mentor is the same right in lab2015 and lab2019 but for its
    # documentation: two spans (S4, S11), one function, called once per forløb, its periods
    # kept for both spans in one call
    source = compile_plan(load_ruleset("kontanthjælp_aktivitetsparat").plan).source
    functions = [line for line in source.splitlines() if line.startswith("def r")]
    assert sum("'helhedsorienteret_mentor'" in line for line in functions) == 1
    calls = [line.strip() for line in source.splitlines() if line.strip().startswith("P4 = r4(")]
    assert calls == ["P4 = r4(S4, c, from_first, ob, ri, va)"]
    assert "ri.extend(keep_rights((S4, S11), P4, FIRST_DAY))" in source


def test_per_forløb_obligations_run_inside_evaluate() -> None:
    # første_samtale (lab2015 S0, lab2019 S8) is written into evaluate's loop over the
    # forløb, once per span, with that span's S; it has no function of its own
    source = compile_plan(load_ruleset("kontanthjælp_aktivitetsparat").plan).source
    lines = [line.strip() for line in source.splitlines()]
    assert not [line for line in lines if line.startswith("def r") and "første_samtale" in line]
    assert "S, sc = S0, whole  # 'første_samtale'" in lines
    assert "S, sc = S8, whole  # 'første_samtale'" in lines
    body = source.split("def evaluate(history, as_of):", 1)[1]
    assert body.count("due=(0, 7), etype='samtale'") == 2


def test_day_numbers_carry_their_dates() -> None:
    source = compile_plan(load_ruleset("kontanthjælp_aktivitetsparat").plan).source
    # lab2015 is in force 2014-01-01 to 2019-12-31: day numbers 735234 and 737424
    assert "S0 = Span(735234, 737424," in source
    assert "# 2014-01-01 – 2019-12-31" in source.split("S0 = Span(", 1)[1].splitlines()[0]

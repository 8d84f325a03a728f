"""The ``lovregler`` command line.

``check``, ``evaluate``, ``explain``, ``test``, ``compile --show``, ``schema``, ``demo`` — and
the batch commands (``synth``, ``batch``, ``report``) and ``serve`` when their optional
packages are installed. Every error a
rule author or caseworker can cause is printed as a message (file:line:col, caret, hint) and
exits non-zero; no Python traceback reaches the terminal.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .api import Ruleset, bundled_dir, bundled_rulesets, load_ruleset
from .caseload.batch_server import start_batch_workers
from .check import check_ruleset_names
from .errors import HistoryError, LovreglerError
from .examples import ExampleReport, example_report
from .history import History
from .results import STATUS_DA, Obligation, Result, Right, Value, iso

console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke en dato (ÅÅÅÅ-MM-DD)") from None


def _rule_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for p in paths or [str(bundled_dir())]:
        path = Path(p)
        found = sorted(path.glob("*.lov")) if path.is_dir() else [path]
        files += [f for f in found if f.stem != "ordforråd"]
    return files


def count(n: int, singular: str, plural: str) -> str:
    """``n`` with the noun in the right number.

    >>> count(1, "regel", "regler"), count(2, "regel", "regler"), count(0, "eksempel", "eksempler")
    ('1 regel', '2 regler', '0 eksempler')
    """
    return f"{n} {singular if n == 1 else plural}"


def cmd_check(args: argparse.Namespace) -> int:
    """Check rule files; print every error and warning; exit 1 on any error — and, with
    ``--strict`` (``--advarsler-som-fejl``), on any warning too."""
    failed = False
    warnings = 0
    modules = []
    for path in _rule_files(args.paths):
        try:
            rs = load_ruleset(path)
        except LovreglerError as err:
            err_console.print(str(err), markup=False)
            failed = True
            continue
        modules.append(rs.module)
        for warning in rs.warnings:
            err_console.print(warning.format(), markup=False)
        warnings += len(rs.warnings)
        console.print(f"{path}: ok ({count(len(rs.rules), 'regel', 'regler')})", markup=False)
    for warning in check_ruleset_names(modules):
        err_console.print(warning.format(), markup=False)
        warnings += 1
    if args.strict and warnings:
        text = f"{count(warnings, 'advarsel', 'advarsler')}, som --strict regner for fejl"
        err_console.print(text, markup=False)
        return 1
    return 1 if failed else 0


#: The largest history ``evaluate`` and ``explain`` read, in bytes (one citizen; the batch's
#: default record limit): a larger file is refused without being read into memory.
MAX_HISTORY_BYTES = 16 * 1024 * 1024


def _history(path: str, ruleset: Ruleset) -> History:
    return History.from_json(_read_history(path), ruleset.vocabulary)


def _read_history(path: str) -> str:
    """The text of a history file (``-``: standard input), at most :data:`MAX_HISTORY_BYTES`."""
    limit = MAX_HISTORY_BYTES
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)  # none when stdin is a text stream
        data = stream.read(limit + 1) if stream else sys.stdin.read(limit + 1).encode("utf-8")
    else:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        where = "standardinput" if path == "-" else path
        size = f"{limit:,}".replace(",", ".")  # Danish thousands
        raise ValueError(
            f"{where}: historikken er over {size} bytes (én borger); "
            "en sagsmængde køres med lovregler batch"
        )
    return data.decode("utf-8")


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Evaluate one citizen; a table by default, the contract's JSON with --format json."""
    rs = load_ruleset(args.ruleset)
    result = rs.evaluate(_history(args.history, rs), args.as_of)
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_table(result)
    return 0


def _print_table(result: Result) -> None:
    # Ids, names and titles come from histories and rule files: printed as text, never as
    # rich markup (a citizen id "[/bold]" would crash the table, "[x]" would vanish).
    console.print(
        f"[bold]{escape(result.ruleset)}[/bold] — borger {escape(result.citizen)} "
        f"pr. {result.as_of}"
    )
    ob = Table("Regel", "Version", "Udløst", "Frist", "Status", "Opfyldt", title="Pligter")
    for o in result.obligations:
        ob.add_row(
            *_cells(
                o.rule.id,
                o.version,
                iso(o.trigger_day),
                iso(o.due_day),
                STATUS_DA[o.status],
                iso(o.fulfilled_day) or "",
            )
        )
    console.print(ob)
    ri = Table("Regel", "Version", "Fra", "Til", title="Rettigheder")
    for r in result.rights:
        ri.add_row(*_cells(r.rule.id, r.version, iso(r.start_day), iso(r.until_day) or "åben"))
    console.print(ri)
    if result.values:
        va = Table("Regel", "Fra", "Til", "Værdi", title="Værdier")
        for v in result.values:
            va.add_row(*_cells(v.rule.id, iso(v.start_day), iso(v.until_day), str(v.value)))
        console.print(va)


def _cells(*values: str | None) -> list[Text]:
    """Table cells shown literally (rich would read a string cell as markup)."""
    return [Text(value or "") for value in values]


def cmd_explain(args: argparse.Namespace) -> int:
    """Print the explanation of every entry of one rule."""
    rs = load_ruleset(args.ruleset)
    if args.rule not in {r.id for r in rs.rules}:
        raise LovreglerError(f"regelsættet {rs.name} har ingen regel {args.rule!r}")
    result = rs.evaluate(_history(args.history, rs), args.as_of)
    everything: list[Obligation | Right | Value] = [
        *result.obligations,
        *result.rights,
        *result.values,
    ]
    entries = [e for e in everything if e.rule.id == args.rule]
    rule = next(r for r in rs.rules if r.id == args.rule)
    console.print(
        f"[bold]{escape(rule.title)}[/bold] ({escape(rule.citation)}) — {escape(str(rule.pos))}",
        highlight=False,
    )
    for source in rule.node.docs.sources:
        console.print(f"  Kilde: {source.address}", markup=False)
    for text in rule.interpretation:
        console.print(f"  Fortolkning: {text}", markup=False)
    if not entries:
        console.print(f"  Ingen forekomster pr. {args.as_of}.")
    for entry in entries:
        console.print(f"- version {entry.version}:", markup=False)
        for sentence in entry.explanation:
            console.print(f"    {sentence}", markup=False)
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    """Run the examples in rule files; print failures and the counts; exit 1 if any fail."""
    files = examples = expectations = failed_examples = failed_expectations = broken = empty = 0
    for path in _rule_files(args.paths):
        files += 1
        try:
            report = example_report(load_ruleset(path))
        except LovreglerError as err:  # a broken file is reported; the others still run
            err_console.print(str(err), markup=False)
            broken += 1
            continue
        for failure in report.failures:
            err_console.print(failure.format(), markup=False)
        if not report.examples:  # nothing tried is not a pass
            empty += 1
            err_console.print(
                f"{path}: ingen eksempler at køre; tilføj et »eksempel«", markup=False
            )
        examples += report.examples
        expectations += report.expectations
        failed_examples += report.failed_examples
        failed_expectations += report.failed_expectations
        console.print(f"{path}: {_test_summary(report)}", markup=False)
    total = ExampleReport(examples, failed_examples, expectations, failed_expectations, ())
    files_text = count(files, "fil", "filer")
    if broken:
        files_text += f" ({broken} kunne ikke indlæses)"
    if empty:
        files_text += f" ({empty} uden eksempler)"
    console.print(f"I alt {files_text}: {_test_summary(total)}", markup=False)
    return 1 if failed_examples or broken or empty else 0


def _test_summary(report: ExampleReport) -> str:
    """``3 eksempler, 12 forventninger: ok`` or what failed, in the right number."""
    sizes = (
        f"{count(report.examples, 'eksempel', 'eksempler')}, "
        f"{count(report.expectations, 'forventning', 'forventninger')}"
    )
    if not report.examples:
        return f"{sizes}: intet at teste"
    if not report.failed_examples:
        return f"{sizes}: ok"
    return (
        f"{sizes}: {report.failed_examples} af {report.examples} fejlede "
        f"({report.failed_expectations} af {report.expectations} forventninger)"
    )


def cmd_fmt(args: argparse.Namespace) -> int:
    """Lay rule files out canonically, in place; with --check, print a diff and exit 1 for
    every file that is not canonical (and change nothing)."""
    from .fmt import diff, format_text
    from .syntax.parse import decode

    status = 0
    for path in _format_files(args.paths):
        try:
            before = decode(path.read_bytes(), str(path))
            after = format_text(before, str(path))
        except LovreglerError as err:
            err_console.print(str(err), markup=False)
            status = 1
            continue
        if after == before:
            continue
        if args.check:
            console.print(diff(before, after, str(path)), markup=False, end="")
            status = 1
        else:
            path.write_text(after, "utf-8")
            console.print(f"{path}: formateret", markup=False)
    return status


def _format_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for p in paths or ["."]:
        path = Path(p)
        files += sorted(path.glob("*.lov")) if path.is_dir() else [path]
    return files


def cmd_lsp(args: argparse.Namespace) -> int:
    """Serve the language server over stdio (needs the extra: pip install 'lovregler[lsp]')."""
    try:
        from .lsp import main as serve
    except ImportError:
        raise LovreglerError(
            "lovregler lsp kræver de valgfrie pakker: pip install 'lovregler[lsp]'"
        ) from None
    return serve()


def cmd_compile(args: argparse.Namespace) -> int:
    """Check and compile a ruleset; with --show, print the generated Python."""
    from .evaluate.compile import compile_plan

    rs = load_ruleset(args.ruleset)
    compiled = compile_plan(rs.plan)
    if args.show:
        print(compiled.whole_source)
    else:
        lines = len(compiled.whole_source.splitlines())
        console.print(f"{rs.name}: {lines} linjer Python", markup=False)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print a JSON Schema of the data contract (history, caseload line, result, error)."""
    from .schema import document

    print(json.dumps(document(args.document), ensure_ascii=False, indent=2))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP service (FastAPI on uvicorn) until interrupted."""
    try:
        from .service import serve
    except ImportError:
        raise LovreglerError(
            "lovregler serve kræver de valgfrie pakker: pip install 'lovregler[service]'"
        ) from None
    serve(host=args.host, port=args.port, max_body=args.max_body, access_log=args.access_log)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job on the embedded data: the whole caseload when the batch tools are
    installed, else every bundled ruleset's examples evaluated and shown."""
    main_demo = _optional("caseload.demo", "main_demo")
    if main_demo is not None:
        return int(main_demo([]))
    for name in bundled_rulesets():
        rs = load_ruleset(name)
        for index, example in enumerate(rs.node.examples[:1]):
            from .examples import example_history

            history = rs.history(example_history(example, index))
            _print_table(rs.evaluate(history, example.expectations[-1].as_of))
    return 0


def _optional(module: str, name: str) -> Callable[[list[str]], int] | None:
    try:
        mod = __import__(f"lovregler.{module}", fromlist=[name])
    except ImportError:
        return None
    return getattr(mod, name, None)


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        main = _optional(module, name)
        if main is None:
            raise LovreglerError(
                f"lovregler {module} kræver de valgfrie pakker: pip install 'lovregler[batch]'"
            )
        return int(main(args.rest))

    return run


RULESET_HELP = "navnet på et indbygget regelsæt (fx fleksjob) eller stien til en .lov-fil"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    p = argparse.ArgumentParser(
        prog="lovregler", description="Regler som kode for beskæftigelsesindsatsen."
    )
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="tjek regelfiler")
    c.add_argument("paths", nargs="*")
    c.add_argument(
        "--strict",
        "--advarsler-som-fejl",
        action="store_true",
        help="advarsler (fx en regel uden hjemmel, en lovtekst uden kilde) er fejl",
    )
    c.set_defaults(func=cmd_check)
    e = sub.add_parser("evaluate", help="evaluér én borger")
    e.add_argument("--ruleset", required=True, help=RULESET_HELP)
    e.add_argument("--as-of", type=_date, required=True)
    e.add_argument("--format", choices=["table", "json"], default="table")
    e.add_argument("history")
    e.set_defaults(func=cmd_evaluate)
    x = sub.add_parser("explain", help="forklar én regel for én borger")
    x.add_argument("--ruleset", required=True, help=RULESET_HELP)
    x.add_argument("--rule", required=True)
    x.add_argument("--as-of", type=_date, required=True)
    x.add_argument("history")
    x.set_defaults(func=cmd_explain)
    t = sub.add_parser("test", help="kør eksemplerne i regelfiler")
    t.add_argument("paths", nargs="*")
    t.set_defaults(func=cmd_test)
    f = sub.add_parser("fmt", help="formatér regelfiler (på stedet)")
    f.add_argument("paths", nargs="*", help="filer eller mapper (standard: mappen, du står i)")
    f.add_argument("--check", action="store_true", help="ret intet; vis forskellen og afslut med 1")
    f.set_defaults(func=cmd_fmt)
    ls = sub.add_parser("lsp", help="sprogserver til editorer (over stdin/stdout)")
    ls.set_defaults(func=cmd_lsp)
    k = sub.add_parser("compile", help="oversæt et regelsæt")
    k.add_argument("--ruleset", required=True, help=RULESET_HELP)
    k.add_argument("--show", action="store_true")
    k.set_defaults(func=cmd_compile)
    from .schema import DOCUMENTS

    j = sub.add_parser("schema", help="udskriv et JSON Schema for datakontrakten")
    j.add_argument("document", nargs="?", choices=DOCUMENTS, default="result", help="(result)")
    j.set_defaults(func=cmd_schema)
    v = sub.add_parser("serve", help="start HTTP-tjenesten")
    v.add_argument("--host", default="127.0.0.1", help="adressen der lyttes på (127.0.0.1)")
    v.add_argument("--port", type=int, default=8000, help="porten (8000)")
    v.add_argument(
        "--max-body", type=int, default=8_000_000, help="største request-krop i bytes (413 over)"
    )
    v.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="log ingen linje pr. forespørgsel (til belastningsmålinger)",
    )
    v.set_defaults(func=cmd_serve)
    d = sub.add_parser("demo", help="kør hovedjobbet på de indbyggede data")
    d.set_defaults(func=cmd_demo)
    for name, module, fn in (
        ("synth", "caseload.synth", "main_synth"),
        ("batch", "caseload.batch", "main_batch"),
        ("report", "caseload.report", "main_report"),
    ):
        # Imported only when run: the batch stack (pandas, dask) is slow to import.
        s = sub.add_parser(name, help=f"se lovregler {name} --help", add_help=False)
        s.set_defaults(func=_lazy(module, fn), rest=[])
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a sub-command and turn every lovregler error into a message."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and argv[0] in ("synth", "batch", "report"):
        if argv[0] == "batch":
            start_batch_workers(argv[1:])  # done already when started as `lovregler`
        args, rest = parser.parse_known_args(argv[:1])
        args.rest = argv[1:]
    else:
        args = parser.parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
        return code
    except BrokenPipeError:
        # The reader went away (`lovregler evaluate … | head`): not an error of ours. Point
        # stdout at /dev/null so the interpreter's own flush at exit stays quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a command a closed pipe stopped
    except HistoryError as err:
        err_console.print(f"fejl i historik: {err}", markup=False)
    except LovreglerError as err:
        err_console.print(str(err), markup=False)
    except (OSError, ValueError) as err:
        err_console.print(f"fejl: {err}", markup=False)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

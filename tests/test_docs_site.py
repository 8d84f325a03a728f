"""The docs site: it builds, every bundled ruleset has a readable page, broken input fails.

The browser test opens a built ruleset page in Debian's chromium (``make browser`` installs
it; ``make test`` runs that first), driven by Playwright, and keeps a screenshot in the test's
temporary folder.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from lovregler import api
from lovregler.site.sphinxext import Paragraph, citation_node, excerpt_node, paragraphs
from lovregler.syntax import ast

ROOT = Path(__file__).resolve().parent.parent


def _sphinx(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", *extra, str(src), str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = _sphinx(ROOT / "docs", out, "-W", "--keep-going")
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _page(site: Path, name: str) -> Path:
    for path in (site / "regelsaet").glob("*.html"):
        if unicodedata.normalize("NFC", path.stem) == name:
            return path
    raise AssertionError(f"no page for {name}")


def test_every_bundled_ruleset_has_a_page(site: Path) -> None:
    for name in api.bundled_rulesets():
        html = _page(site, name).read_text("utf-8")
        assert "lovregler-timeline" in html or "Eksempler" not in html
        assert "lovregel-prosa" in html


def test_rule_examples_in_the_docs_are_highlighted(site: Path) -> None:
    html = (site / "vejledning.html").read_text("utf-8")
    # Pygments' classes: k = keyword, s = string, c1 = comment (the lovregler lexer)
    assert '<span class="k">pligt</span>' in html
    assert '<span class="k">opfyldes af</span>' in html
    assert '<span class="c1"># 2015-03-02 + 55 dage' in html


def test_paragraph_index_links_rules(site: Path) -> None:
    html = (site / "paragraffer.html").read_text("utf-8")
    assert "LAB 2015 § 92" in html
    assert "Første ret og pligt-tilbud" in html
    assert 'href="regelsaet/' in html


def test_every_hjemmel_links_to_its_source(site: Path) -> None:
    for name in api.bundled_rulesets():
        rs = api.load_ruleset(name)
        html = _page(site, name).read_text("utf-8")
        for rule in rs.rules:
            if rule.pos.file != rs.node.pos.file:
                continue  # inherited: shown (and linked) on its own ruleset's page
            assert rule.node.docs.sources, f"{name}.{rule.id} has no kilde"
            for source in rule.node.docs.sources:
                if source.is_link:
                    assert f'href="{html_attr(source.address)}"' in html, (name, rule.id)


def test_a_paraphrase_is_shown_as_one(site: Path) -> None:
    html = _page(site, "fleksjob").read_text("utf-8")
    assert "Omskrevet, ikke lovens ordlyd" in html
    law = _page(site, "kontanthjælp_aktivitetsparat").read_text("utf-8")
    # LAB 2019 § 31, stk. 5 quoted verbatim, in quotation marks, with its source beneath
    assert (
        "»For personer omfattet af § 6, nr. 2-5, skal første jobsamtale holdes senest 1 uge" in law
    )
    assert 'href="https://www.elov.dk/lov-om-en-aktiv-beskaeftigelsesindsats/paragraf/31/"' in law


def html_attr(text: str) -> str:
    """``text`` escaped as Sphinx writes it inside an attribute."""
    return text.replace("&", "&amp;").replace('"', "&quot;")


def test_citation_and_excerpt_nodes() -> None:
    link = ast.Source(address="https://example.org/lov/31")
    seed = ast.Source(address="Analysenotatet afsnit 4.1.1")
    docs = ast.Docs(citation="LAB § 31, stk. 5", sources=(link, seed))
    para = citation_node(docs)
    refs = [n for n in para.findall() if n.tagname == "reference"]
    assert [r["refuri"] for r in refs] == ["https://example.org/lov/31"]
    assert para.astext() == (
        "LAB § 31, stk. 5 — kilde: https://example.org/lov/31, Analysenotatet afsnit 4.1.1"
    )
    quote = excerpt_node(ast.Excerpt(text="Citat.", source=link))
    assert quote.astext().startswith("»Citat.«") and "omskrevet" not in quote["classes"]
    paraphrase = excerpt_node(ast.Excerpt(text="Med andre ord.", paraphrase=True))
    assert paraphrase.astext() == "Omskrevet, ikke lovens ordlyd: Med andre ord."
    assert "lovregel-omskrevet" in paraphrase["classes"]


def test_extending_ruleset_lists_inherited_rules(site: Path) -> None:
    html = _page(site, "kbh_kontanthjælp_aktivitetsparat").read_text("utf-8")
    assert "Arvede regler fra Kontanthjælp, aktivitetsparate" in html
    # each inherited rule links to its anchor on the base ruleset's page
    assert 'href="kontanthj%C3%A6lp_aktivitetsparat.html#lovregel-' in html


def test_pages_speak_danish_to_legal_staff(site: Path) -> None:
    import html as html_lib
    import re

    def text(path: Path) -> str:
        return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", path.read_text("utf-8"))).split())

    benefit = text(_page(site, "ledighedsydelse"))
    # no ruleset period of its own: in force as its only version, from 1 January 2013
    assert "Gyldighed : fra 1. januar 2013 (versionerne nedenfor)" in benefit
    assert "uden tidsbegrænsning" not in benefit.split("Forløb")[0]
    # Historik: the vocabulary's Danish name of ydelse_start, the id only as a code label;
    # the timeline's event markers likewise
    assert "2015-03-02 Starter på en ydelse ydelse_start" in benefit
    assert "starter på en ydelse (ledighedsydelse)" in benefit
    assert "2015-03-02 ydelse_start" not in benefit
    cash = text(_page(site, "kontanthjælp_aktivitetsparat"))
    assert "Kvalificerende tilbud (mønster) kvalificerende_tilbud" in cash  # Begreber
    assert "(på en senere dato)" not in cash
    keywords = text(site / "sprogreference.html")
    assert "value_kw" not in keywords and "course_start" not in keywords
    assert "Søg, fx § 92" in (site / "index.html").read_text("utf-8")  # the sidebar field
    assert "Den syntetiske københavnske sagsmængde" in text(site / "caseload.html")


@pytest.mark.browser
def test_ruleset_page_in_chromium(site: Path, tmp_path: Path) -> None:
    from layout import chart_text_overlaps, open_page, table_overflows, text_over_shapes

    page_path = _page(site, "kontanthjælp_aktivitetsparat")
    with open_page() as (new_page, console_errors):
        for width in (1280, 800):
            page = new_page(width)
            page.goto(page_path.as_uri())
            prose = page.get_by_text(
                "Jobcentret skal holde en samtale med borgeren senest 1 uge efter forløbets start."
            ).first
            assert prose.is_visible()
            citation = page.get_by_text("LAB 2019 § 31, stk. 5").first
            citation.scroll_into_view_if_needed()
            assert citation.is_visible()
            svg = page.locator("svg.lovregler-timeline").first
            svg.scroll_into_view_if_needed()
            assert svg.is_visible()
            box = svg.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 80
            # no timeline label over a bar or another label, no table past the page
            assert chart_text_overlaps(page, "svg.lovregler-timeline") == []
            assert text_over_shapes(page, "svg.lovregler-timeline", "rect.bar") == []
            assert table_overflows(page) == []
            for other in sorted((site / "regelsaet").glob("*.html")):
                page.goto(other.as_uri())
                found = chart_text_overlaps(page, "svg.lovregler-timeline")
                found += text_over_shapes(page, "svg.lovregler-timeline", "rect.bar")
                found += table_overflows(page)
                assert found == [], (other.name, width)
            page.goto(page_path.as_uri())
            shot = tmp_path / f"kontanthjælp_aktivitetsparat-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
    assert console_errors == []


def _search(page, site: Path, query: str) -> list[str]:  # noqa: ANN001 - a Playwright page
    """The rule ids the site's search lists for ``query``, once Sphinx has counted its pages."""
    import urllib.parse

    page.goto((site / "search.html").as_uri() + "?q=" + urllib.parse.quote(query))
    page.wait_for_function("() => /matcher|matchede/.test(document.body.innerText)")
    return [code.inner_text() for code in page.locator("#lovregler-regler li > code").all()]


@pytest.mark.browser
def test_search_finds_paragraphs_and_danish_words(site: Path) -> None:
    from layout import open_page

    with open_page() as (new_page, console_errors):
        page = new_page(1280)
        # LAB 2015 § 92 is the hjemmel of første_ret_og_pligt_tilbud (kontanthjælp_aktivitetsparat.lov)
        assert "første_ret_og_pligt_tilbud" in _search(page, site, "§ 92")
        assert "første_ret_og_pligt_tilbud" in _search(page, site, "92")
        # Sphinx's page results count the pages, in Danish, and show more than the titles
        status = page.locator("#search-results p.search-summary").inner_text()
        assert "Søgningen er færdig:" in status and "sider matcher" in status
        assert page.locator("#search-results li p.context").count() >= 1
        assert (
            "1 regel" in page.locator(".lovregler-antal").inner_text()
            or "regler" in page.locator(".lovregler-antal").inner_text()
        )
        # gentaget_ret_og_pligt_tilbud cites "LAB 2015 § 92 og § 96, stk. 3"
        assert "gentaget_ret_og_pligt_tilbud" in _search(page, site, "stk. 3")
        # a Danish word in another form than in the prose: "mentoren" finds the mentor rules
        assert "helhedsorienteret_mentor" in _search(page, site, "mentoren")
        assert _search(page, site, "§ 9999") == []
    assert console_errors == []


def _broken_site(tmp_path: Path, directive: str, rule_file: str | None = None) -> Path:
    src = tmp_path / "src"
    (src / "regler").mkdir(parents=True)
    (src / "conf.py").write_text(
        textwrap.dedent(
            """
            extensions = ["lovregler.site.sphinxext"]
            language = "da"
            lovregler_ruleset_dirs = ["regler"]
            lovregler_generate_pages = False
            """
        ),
        "utf-8",
    )
    (src / "index.rst").write_text(f"Test\n====\n\n{directive}\n", "utf-8")
    if rule_file is not None:
        (src / "regler" / "brudt.lov").write_text(rule_file, "utf-8")
    return src


def _fails_with(src: Path, out: Path) -> str:
    done = _sphinx(src, out)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output
    assert 'File "' not in output
    return output


def test_unknown_ruleset_fails_the_build(tmp_path: Path) -> None:
    src = _broken_site(tmp_path, ".. lovregel:: kontanthjælp_aktivitetsparatt")
    output = _fails_with(src, tmp_path / "out")
    assert "index.rst:4" in output
    assert "kontanthjælp_aktivitetsparatt" in output
    assert "mente du 'kontanthjælp_aktivitetsparat'" in output


def test_syntax_error_fails_the_build_with_file_line_col(tmp_path: Path) -> None:
    rule = 'importer ordforråd\n\nordning brudt "Brudt"\n  pligt p\n    frist 1 uge\n'
    src = _broken_site(tmp_path, ".. lovregel:: brudt", rule)
    output = _fails_with(src, tmp_path / "out")
    assert f"{src / 'regler' / 'brudt.lov'}:5:" in output
    assert "^" in output


def test_check_error_fails_the_build_with_the_authors_message(tmp_path: Path) -> None:
    rule = (
        'importer ordforråd\n\nordning brudt "Brudt"\n'
        "  forløb når ydelse kontanthjælp\n"
        '  pligt p "P"\n    frist 1 uge efter forløbets start\n    opfyldes af samtle\n'
    )
    src = _broken_site(tmp_path, ".. lovregel:: brudt", rule)
    output = _fails_with(src, tmp_path / "out")
    assert f"{src / 'regler' / 'brudt.lov'}:7:17" in output
    assert "samtle" in output
    assert "mente du 'samtale'" in output


def test_paragraphs_from_citations() -> None:
    assert paragraphs("LAB 2019 § 31, stk. 5") == [Paragraph("LAB 2019", 31, "", "5")]
    assert paragraphs("LAS § 74 c") == [Paragraph("LAS", 74, "c", "")]
    assert [p.label() for p in paragraphs("LAB 2015 § 92 og § 96, stk. 3")] == [
        "LAB 2015 § 92",
        "LAB 2015 § 96, stk. 3",
    ]
    assert paragraphs("LAB 2015; analysenotatet afsnit 4.1.1") == []
    assert [p.label() for p in paragraphs("SDL § 24 og LAB § 92, stk. 1–2 og 5")] == [
        "SDL § 24",
        "LAB § 92, stk. 1–2 og 5",
    ]


def _code_blocks(path: Path) -> list[str]:
    blocks, current, inside = [], [], False
    for line in path.read_text("utf-8").splitlines():
        if line.strip() in (
            ".. code-block:: text",
            ".. code-block:: lovregler",
            ".. lovregel-eksempel::",
        ):
            inside, current = True, []
        elif inside and (line.startswith("   ") or not line.strip()):
            current.append(line[3:])
        elif inside:
            blocks.append("\n".join(current).strip("\n"))
            inside = False
    if inside:
        blocks.append("\n".join(current).strip("\n"))
    return blocks


@pytest.mark.parametrize("doc", ["sprogreference.rst", "vejledning.rst"])
def test_examples_in_the_docs_parse_and_check(doc: str, tmp_path: Path) -> None:
    from lovregler.api import load_ruleset
    from lovregler.examples import example_report
    from lovregler.site.sphinxext import load_path
    from lovregler.syntax.parse import parse_text

    checked = 0
    for i, block in enumerate(_code_blocks(ROOT / "docs" / doc)):
        if not block.startswith(("importer", "ordning", "ordforråd")):
            continue  # shell commands and error output
        text = block if block.startswith("importer") else f"importer ordforråd\n\n{block}"
        module = parse_text(text, f"{doc}:{i}")
        if module.rulesets:
            path = tmp_path / f"eksempel{i}.lov"
            path.write_text(text, "utf-8")
            load_path(path)  # raises with file:line:col if the example is wrong
            report = example_report(load_ruleset(path))
            assert not report.failures, [f.format() for f in report.failures]
            checked += 1
    assert checked >= 2


def test_override_is_shown_as_such(tmp_path: Path) -> None:
    rule = (
        "importer ordforråd\n\n"
        'ordning kbh_test "Test af erstatning"\n'
        "  udvider kontanthjælp_aktivitetsparat\n"
        '  pligt første_samtale "Første samtale inden 3 dage"\n'
        "    erstatter\n"
        "    frist 3 dage efter forløbets start\n"
        "    opfyldes af samtale\n"
        '    hjemmel "Kommunal beslutning"\n'
    )
    src = _broken_site(tmp_path, ".. lovregel:: kbh_test", rule)
    (src / "regler" / "brudt.lov").rename(src / "regler" / "kbh_test.lov")
    done = _sphinx(src, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    html = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert "Erstatter den arvede regel" in html
    assert "senest 3 dage efter forløbets start" in html
    inherited = html.split("Arvede regler fra")[1]
    assert "første_samtale" not in inherited  # replaced, so not listed as inherited
    assert "fire_samtaler_årligt" in inherited


def test_a_reference_example_that_does_not_parse_fails_the_build(tmp_path: Path) -> None:
    directive = '.. lovregel-eksempel::\n\n   ordning a "A"\n     pligt p\n       frist 1 uge\n'
    src = _broken_site(tmp_path, directive)
    output = _fails_with(src, tmp_path / "out")
    assert "index.rst:4" in output
    assert "eksemplet kan ikke læses" in output
    assert "^" in output

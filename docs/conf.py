"""Sphinx configuration of the lovregler site.

The legal pages are Danish and rendered straight from the rule files by
``lovregler.site.sphinxext``: one page per file in ``rulesets/`` is generated into ``regelsaet/`` at
every build, so the site cannot miss or drift from a ruleset.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent

project = "lovregler"
author = "lovregler"
copyright = "lovregler"  # noqa: A001 - the name Sphinx expects
language = "da"

extensions = [
    "lovregler.site.sphinxext",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",  # the API page's examples (pytest runs them)
    "sphinx.ext.napoleon",
]

# caseload.md is written in Markdown by the synth engineer; read it with MyST when present.
if (HERE / "caseload.md").is_file() and importlib.util.find_spec("myst_parser"):
    extensions.append("myst_parser")
    source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
    myst_heading_anchors = 3
else:
    exclude_patterns_md = ["*.md"]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", *globals().get("exclude_patterns_md", [])]

html_theme = "alabaster"
# Our own sidebar search field: Sphinx's has the placeholder "Search" written in English.
templates_path = ["_templates"]
# Sphinx fetches each result page for its summary, which a browser forbids for pages opened
# from disk (an error per result); lovregler.site.sitesearch adds a short text from a script file.
html_show_search_summary = False
html_title = "lovregler — reglerne i klart sprog"
html_theme_options = {
    "page_width": "1180px",
    "sidebar_width": "230px",
    "body_max_width": "none",
    "description": "Beskæftigelsesrettens regler som kode, læst af jurister.",
}

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

# Rulesets come from the installed package (rulesets/ is its package data, installed
# editable); extra folders could be listed here.
lovregler_ruleset_dirs: list[str] = []

# The data contract page (contract.rst) shows the JSON Schemas and worked examples, written
# here at every build from the code that defines them, so the page cannot drift from it.
from lovregler.schema import write_contract_files  # noqa: E402

write_contract_files(HERE / "_contract", HERE.parent / "examples" / "borger-0001.json")

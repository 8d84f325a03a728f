# Two entry points: `make demo` and `make test`. Both bootstrap .venv themselves.
# `make test` also checks that the bundled rule files are laid out canonically (`lovregler fmt`).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo native bytecode test lint typecheck pytest ruletests docs bench clean fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,batch,docs,service,lsp]'
	touch $(STAMP)

# The hot path compiled to C by mypyc (src/lovregler/_native.py lists the modules), beside
# the sources. Built again whenever one of them changes; at import the package checks that
# the build is of the sources in the tree and runs the sources otherwise.
NATIVE_MODULES := $(shell sed -n '/^MODULES = (/,/^)/s/.*"\(lovregler[.a-z_]*\)".*/\1/p' src/lovregler/_native.py)
NATIVE_SOURCES := $(patsubst %,src/%.py,$(subst .,/,$(NATIVE_MODULES)))
NATIVE_MANIFEST := src/lovregler/_native_build.json

$(NATIVE_MANIFEST): $(STAMP) setup.py src/lovregler/_native.py $(NATIVE_SOURCES)
	rm -f $@ && mkdir -p build
	$(BIN)/python setup.py -q build_ext --inplace > build/native.log 2>&1 || (cat build/native.log; exit 1)

native: $(NATIVE_MANIFEST)

# Tests and benchmarks run the compiled modules: test_native fails if they are not in use.
export LOVREGLER_EXPECT_NATIVE := 1

# The package's bytecode, as a regular install writes it: an editable install leaves it to
# the first import, and with PYTHONDONTWRITEBYTECODE set every process (the batch's main
# process and its workers' fork server) would compile every module again (≈ 0.07 s each).
bytecode: $(STAMP) native
	$(BIN)/python -m compileall -q src

demo: $(STAMP) bytecode
	$(BIN)/lovregler demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks conftest.py setup.py
	$(BIN)/ruff format --check src tests benchmarks conftest.py setup.py

typecheck: $(STAMP)
	$(BIN)/mypy src

pytest: $(STAMP) native
	$(BIN)/pytest -n 2

# The bundled rulesets check clean with warnings as errors (every rule has a hjemmel, every
# lovtekst a kilde or a paraphrase mark), and their examples pass.
ruletests: $(STAMP) native
	$(BIN)/lovregler check --strict rulesets/
	$(BIN)/lovregler fmt --check rulesets/
	$(BIN)/lovregler test rulesets/

test: lint typecheck browser pytest ruletests docs-strict

# Hostile input at length (issue 10): the fuzzing properties with 50 times the examples of
# `make test` (generated rule files, mutated histories and caseloads), and the fault tests
# (killed workers, full disk, concurrent batches).
fuzz: $(STAMP) native
	LOVREGLER_FUZZ=1 $(BIN)/pytest -p no:xdist -q tests/test_fuzz.py tests/test_hostile_input.py tests/test_batch_faults.py tests/test_cache.py

bench: $(STAMP) bytecode
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .lovregler-cache $(NATIVE_MANIFEST)
	find src -name '*.so' -delete

# The docs site (Danish legal pages rendered from rulesets/, language reference, API).
docs: $(STAMP)
	$(BIN)/sphinx-build -b html docs docs/_build/html

# Warnings are errors: a broken rule file or a bad docstring fails `make test`.
docs-strict: $(STAMP)
	$(BIN)/sphinx-build -b html -W --keep-going docs docs/_build/html

# Debian's chromium for the browser test of the docs site (Playwright drives it; no tool may
# download a browser of its own).
browser:
	command -v chromium || (apt-get update && apt-get install -y chromium)

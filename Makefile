# The README's two commands: `make book` and `make test`.  Both create the
# virtual environment on first use (python3 -m venv) and reinstall only when
# pyproject.toml changes (stamp file .venv/.installed).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Tiny matrices: multi-threaded BLAS only costs time (measured up to 50x slower).
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

# The chapters are MyST Markdown notebooks in book/ (the sources); `make notebooks`
# writes their executed copies to notebooks/ (what nbval checks and readers download).
NOTEBOOKS := $(wildcard notebooks/*.ipynb)
# e.g. make bench BENCH_OPTS=--quick
BENCH_OPTS ?=
NBVAL_OPTS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

.PHONY: venv book test notebooks figures bench search clean

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[book,test,dask]"
	touch $(STAMP)

# --all: re-read (and so re-execute) every chapter even when only qrmlib changed.
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going --all

# 1. unit, property and QuTiP tests, and nbval: it re-executes every notebook
#    and compares the result with the notebook's stored outputs;
# 2. the site gates (tests/test_site.py): the book built like `make book` with
#    -W -n --keep-going but from those stored outputs (no second execution),
#    zero warnings, nothing loaded from the network, internal links, and every
#    page in headless Chromium (screenshots in _build/screenshots/).
test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks $(NBVAL_OPTS) --ignore=tests/test_site.py
	$(BIN)/python -m pytest tests/test_site.py

notebooks: $(STAMP)
	$(BIN)/python tools/notebooks.py build

figures: $(STAMP)
	$(BIN)/python -m qrmlib.figures --outdir book/figures

# Beyond the paper (issue 14): the seeded adversarial search for the exceptional case of
# Theorem 7.2 (about 8 min of one core); writes book/data/theorem72_search.json (+ _runs.json).
search: $(STAMP)
	$(BIN)/python -m qrmlib.theorem72 --out book/data/theorem72_search.json --log book/data/theorem72_runs.json

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run.py $(BENCH_OPTS)

clean:
	rm -rf _build .pytest_cache .hypothesis

# The README's two commands: `make book` and `make test`.  Both create the
# virtual environment on first use ($(PYTHON) -m venv) and install it from the lock
# file requirements/lock.txt (exact versions, one universal lock for Python
# 3.10-3.13, written by uv from pyproject.toml's ranges: `make lock`), then the
# package itself without dependencies.  They reinstall only when pyproject.toml or
# the lock changes (stamp file .venv/.installed), and recreate the venv when
# PYTHON names another Python version: e.g. `make test PYTHON=python3.13`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/lock.txt
# The extras that the lock covers and `make` installs (tests/test_packaging.py
# checks environment.yml and the lock against this line).
EXTRAS := book,test,dask
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV_PY := $(VENV)/.python-$(PYVER)

# Tiny matrices: multi-threaded BLAS only costs time (measured up to 50x slower).
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

comma := ,

# The chapters are MyST Markdown notebooks in book/ (the sources); `make notebooks`
# writes their executed copies to notebooks/ (what nbval checks and readers download).
NOTEBOOKS := $(wildcard notebooks/*.ipynb)
# e.g. make bench BENCH_OPTS=--quick
BENCH_OPTS ?=
NBVAL_OPTS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

.PHONY: venv book test notebooks figures bench search lint lab lock pdf clean

venv: $(STAMP)

# a venv of another Python version is replaced, not reused
$(VENV_PY):
	@test -n "$(PYVER)" || { echo "make: PYTHON=$(PYTHON) is not a working Python"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	touch $@

$(STAMP): pyproject.toml $(LOCK) $(VENV_PY)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# --all: re-read (and so re-execute) every chapter even when only qrmlib changed.
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going --all

# 1. unit, property and QuTiP tests, and nbval: it re-executes every notebook
#    and compares the result with the notebook's stored outputs;
# 2. the site gates (tests/test_site.py): the book built like `make book` with
#    -W -n --keep-going but from those stored outputs (no second execution),
#    zero warnings, nothing loaded from the network, internal links, and every
#    page in headless Chromium (screenshots in _build/screenshots/); then
#    tests/test_pdf.py prints that site into the PDF of `make pdf` and checks it.
test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks $(NBVAL_OPTS) --ignore=tests/test_site.py --ignore=tests/test_pdf.py
	$(BIN)/python -m pytest tests/test_site.py tests/test_pdf.py

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

# ruff: lint and format check (configured in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# the notebooks in JupyterLab, from the venv (the [lab] extra, not locked)
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab notebooks/

# rewrite the lock from pyproject.toml's ranges (needs the network)
lock: | $(VENV_PY)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m uv pip compile pyproject.toml $(foreach e,$(subst $(comma), ,$(EXTRAS)),--extra $(e)) \
	    --universal --python-version 3.10 -o $(LOCK)

# one PDF of the whole companion: the built site (make book, if missing) printed
# page by page in toc order by headless Chromium, merged into _build/pdf/
pdf: $(STAMP)
	test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python tools/pdf.py

clean:
	rm -rf _build .pytest_cache .hypothesis build dist

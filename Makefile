# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    ?= results/brunel
DOCS_OUT ?= build/docs/html

.PHONY: run test lint docs bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	-$(PY) -m twin.analog.native
	touch $@

$(VENV)/.test-installed: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[nest,test,dev,jobs]"
	-$(PY) -m twin.analog.native
	touch $@ $(VENV)/.run-installed

## run: install the twin (and build its native event delivery with the system C++
## compiler, twin.analog.native; without a compiler the emulator warns and runs the
## pure-JAX delivery) and run the main job (no NEST needed)
## (PROGRESS_LOG=FILE: the progress bar's estimates over time, for
## `python -m experiments.runs.progress FILE`)
run: $(VENV)/.run-installed
	$(VENV)/bin/twin brunel --fidelity all --out $(OUT) \
		$(if $(PROGRESS_LOG),--progress-log $(PROGRESS_LOG))

## test: install with NEST and test extras, then run the test suite (gpu tests excluded);
## the PyNN backend's tests (which run PyNN's own scenarios, changing PyNN's global
## state) run in processes of their own, and the tests that load NEST run apart from
## the rest (XLA's compiler has crashed twice with a segmentation fault in a process
## that had loaded NEST and compiled many programs)
## (the *_vs_nest.py modules import NEST when collected, so the first processes skip
## them; every test in them is marked nest); every process runs on two pytest-xdist
## workers, a test file per worker (most of the time is XLA compiling or a
## single-threaded NEST network build, one core each; PyNN's state stays with the
## files of one worker's process, as it stayed in one process before)
test: $(VENV)/.test-installed
	$(PY) -m pytest -q -n 2 --dist loadfile --durations=15 -m "not gpu and not nest" \
		--doctest-modules twin experiments tests --ignore=tests/pynn \
		--ignore-glob="*_vs_nest.py"
	$(PY) -m pytest -q -n 2 --dist loadfile --durations=15 -m "nest and not gpu" tests \
		--ignore=tests/pynn
	$(PY) -m pytest -q -n 2 --dist loadfile --durations=15 -m "not gpu and not nest" tests/pynn \
		--ignore-glob="*_vs_nest.py"
	$(PY) -m pytest -q -n 2 --dist loadfile --durations=15 -m "nest and not gpu" tests/pynn

## lint: format check, lint and type check
lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy twin experiments

$(VENV)/.docs-installed: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[nest,docs]"
	-$(PY) -m twin.analog.native
	touch $@ $(VENV)/.run-installed

## docs: the documentation site in $(DOCS_OUT) (the README's guides, docs/*.md, the API
## reference of twin and experiments generated from the docstrings, and the notebook
## examples/random_network.ipynb executed: a 1000 ms run, NEST at two points when
## installed; TWIN_NOTEBOOK_T_STOP=10000 TWIN_NOTEBOOK_NEST=all make docs runs the
## seed's); any warning or cell error fails it
docs: $(VENV)/.docs-installed
	$(VENV)/bin/sphinx-build -j auto -W --keep-going -b html docs $(DOCS_OUT)

## bench: benchmarks side by side with NEST (see BENCHMARKS.md)
bench: $(VENV)/.test-installed
	$(PY) benchmarks/wafer_graph.py
	$(PY) benchmarks/mapping.py
	$(PY) benchmarks/brunel_sweep.py
	$(PY) benchmarks/tiers.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis \
		build/docs docs/api/generated docs/notebooks

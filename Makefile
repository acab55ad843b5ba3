# Comparative discourse analysis of policy statements: set-up, reports, tests.
# `make help` lists the targets. The environment is a uv-managed .venv built from uv.lock.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
# Use uv from PATH if it is there, else install a pinned copy into .tools/ (no network beyond PyPI).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help env report report-force test test-fast check lab lint clean bench bench-scale

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --extra scale --python $(PYTHON)
	@touch $@

env: $(VENV)/.installed ## create or update the environment (.venv) from uv.lock

report: env ## build the HTML reports, tables and figures (skips unchanged notebooks)
	$(PY) -m analysis report

report-force: env ## rebuild every report from scratch
	$(PY) -m analysis report --force

test: env ## run the whole test suite
	$(PY) -m pytest

test-fast: env ## run the tests that do not execute notebooks or start servers
	$(PY) -m pytest -m "not slow and not browser"

lab: env ## open JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

lint: env ## check style with ruff: lint and format (package, tests, benchmarks, tools, notebooks)
	$(VENV)/bin/ruff check src tests benchmarks tools notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks tools notebooks

check: lint ## the fast checks CI runs before the tests: lint, types, notebooks without outputs, docstring examples
	$(VENV)/bin/mypy
	$(PY) tools/strip_notebook_outputs.py --check notebooks/*.ipynb
	$(PY) -m pytest -q -p no:cacheprovider --doctest-modules src/analysis

bench: env ## run the benchmarks (see benchmarks/README.md)
	$(PY) benchmarks/bench_seeds.py
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_report.py

bench-scale: env ## build every report on 100, 500 and 2,000 synthetic statements (about 20 min)
	$(PY) benchmarks/bench_scale.py

clean: ## remove generated reports, tables and caches (keeps .venv)
	rm -rf reports/*.html reports/*.json results/* .pytest_cache

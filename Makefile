# slogen: SLO and alerting as code. `make help` lists the targets.
VENV ?= .venv
PY ?= $(VENV)/bin/python
SLOGEN = $(PY) -m generator
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup generate check validate test test-latest constraints test-integration golden lint schema docs apply bench stack-up stack-down stack-status up down

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

$(VENV)/.installed: pyproject.toml constraints.txt scripts/setup.sh
	@VENV=$(VENV) bash scripts/setup.sh

setup: $(VENV)/.installed ## install the virtualenv, slogen and promtool/amtool

generate: $(VENV)/.installed ## compile slos/ into out/ (atomically; checked with promtool/amtool)
	$(SLOGEN) generate --specs slos --out out

check: $(VENV)/.installed ## fail if out/ does not match the specs
	$(SLOGEN) generate --specs slos --out out --check

validate: $(VENV)/.installed ## check specs, then promtool/amtool on out/ (fails if a tool is missing)
	$(SLOGEN) validate --specs slos
	@command -v promtool >/dev/null || { echo "promtool missing: make setup" >&2; exit 1; }
	@command -v amtool >/dev/null || { echo "amtool missing: make setup" >&2; exit 1; }
	$(SLOGEN) generate --specs slos --out out --check
	promtool check rules out/prometheus/*.rules.yaml
	$(SLOGEN) test
	amtool check-config out/alertmanager/alertmanager.yml

test: $(VENV)/.installed ## run the whole test suite (what CI runs)
	$(PY) -m pytest $(PYTEST_ARGS)

LATEST_VENV ?= .venv-latest
test-latest: ## run the tests on the newest dependency releases pyproject.toml allows (not in CI)
	rm -rf $(LATEST_VENV) && python3 -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install -q --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install -q --upgrade --upgrade-strategy eager -e '.[dev]'
	$(LATEST_VENV)/bin/python -m pip list --format=freeze --exclude-editable
	$(LATEST_VENV)/bin/python -m pytest $(PYTEST_ARGS)

constraints: $(VENV)/.installed ## pin constraints.txt to the versions in the virtualenv (after test-latest passed)
	{ sed -n '/^#/p' constraints.txt; $(PY) -m pip list --format=freeze --exclude-editable \
	  | grep -v -E '^(pip|setuptools|wheel)=='; } > constraints.txt.new && mv constraints.txt.new constraints.txt

test-integration: $(VENV)/.installed ## only tests that use real binaries, databases or processes
	$(PY) -m pytest -m "promtool or amtool or database or e2e" $(PYTEST_ARGS)

golden: $(VENV)/.installed ## rewrite golden files from the current output
	$(PY) -m pytest --update-golden $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff and mypy
	$(PY) -m ruff check generator tests bench
	$(PY) -m mypy generator

schema: $(VENV)/.installed ## regenerate schema/*.json for editors
	$(SLOGEN) schema --out schema

apply: $(VENV)/.installed ## push out/ to Grafana (GRAFANA_URL, GRAFANA_TOKEN); a dry run unless APPLY=1
	$(SLOGEN) apply --out out $(if $(filter 1,$(APPLY)),,--dry-run) $(APPLY_ARGS)

docs: $(VENV)/.installed ## regenerate docs/spec-reference.md from the spec models
	$(SLOGEN) docs

bench: $(VENV)/.installed ## run the benchmarks; figures go to bench/results/
	$(PY) bench/run.py $(BENCH)

stack-up: $(VENV)/.installed ## start local Prometheus, Alertmanager and exporter against out/
	PY=$(PY) bash monitoring/stack.sh up

stack-down: ## stop the local stack
	bash monitoring/stack.sh down

stack-status: ## show the local stack processes and its scrape targets (exit 1 if one is down)
	bash monitoring/stack.sh status

up: stack-up ## alias of stack-up
down: stack-down ## alias of stack-down

# Two commands: `make run` serves the LMS on http://127.0.0.1:5000; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app lms

.PHONY: run test check bench bench-cohort bench-reports clean

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

run: $(VENV)/.installed
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) courses sync
	$(FLASK) demo accounts
	$(FLASK) courses assign-trainer demo-trainer@example.com
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest -n auto --dist worksteal

check: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -r lms courses quizzes badges config.py --severity-level medium

bench: $(VENV)/.installed
	bash scripts/ensure-wrk
	$(BIN)/python -m bench.speed

.venv-cohort/.installed: requirements-cohort.txt
	$(PYTHON) -m venv .venv-cohort
	.venv-cohort/bin/pip install --quiet -r requirements-cohort.txt
	touch $@

bench-reports: $(VENV)/.installed
	$(BIN)/python -m bench.reports

bench-cohort: $(VENV)/.installed .venv-cohort/.installed
	$(BIN)/python -m bench.cohort

clean:
	rm -rf $(VENV) .venv-cohort instance .pytest_cache

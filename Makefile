# Kizuna: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint fmt migrate clean help

help:
	@echo "make run    - set up, migrate, load Japanese demo data once, start Kizuna on http://127.0.0.1:8000"
	@echo "make test   - the whole suite on SQLite, then on PostgreSQL where one answers"
	@echo "make bench  - benchmarks (results in docs/benchmarks.md)"
	@echo "make lint   - ruff format --check, ruff check, mypy, makemigrations --check"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kizuna migrate --no-input
	$(BIN)/kizuna demo --if-empty --contacts 2000
	$(BIN)/kizuna createuser --admin-once
	$(BIN)/kizuna serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	./scripts/test.sh

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/kizuna makemigrations --check --dry-run

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) var/test build *.egg-info

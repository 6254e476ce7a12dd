# Two commands do everything: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check install system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Install and run the demo of Phichit (sample data) on http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/smartcity demo

## Install everything and run every check and test (SQLite; PostgreSQL too when configured)
test: $(STAMP) system-deps
	scripts/test

system-deps:
	scripts/system-deps

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage

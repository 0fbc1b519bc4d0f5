# The two commands of the README: `make demo` and `make test`. Both create or reuse .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export LANGGRAPH_CLI_NO_ANALYTICS := 1
export LANGSMITH_TRACING := false

.PHONY: install demo test lint typecheck check dev docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# A goal the embedded 1.5B model plays believably: with the landlord-email goal it kept writing to
# the landlord or asking the chatbot to fix the heater (README "How realistic ...").
GOAL ?= You want a simple recipe for pancakes without eggs, and then to know how to make them fluffier.

## Run one dialogue on the embedded local model (sampled persona, paper settings but 4 turns).
demo: $(STAMP)
	$(BIN)/roleplay run --goal "$(GOAL)" --max-turns 4

## Lint (with the one-way layers contract), type-check, then the whole test suite.
# One worker per core, a test file per worker (its module fixtures, a Postgres server or a Ray
# cluster, start once): most integration tests wait on a subprocess, so a second core halves them.
test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

## Regenerate the README's settings table from nodes/context.py (a test checks it is current).
docs: $(STAMP)
	$(BIN)/python -m llm_roleplay.settings_flags --write README.md

## The local API server behind LangGraph Studio.
dev: $(STAMP)
	$(BIN)/langgraph dev --no-browser

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .langgraph_api

# backcare — the two commands of the quickstart are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed

.PHONY: run test install frontend lint types imports pytest bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)

# Exact, hash-checked versions from requirements/lock.txt (regenerate with `make lock`).
# Bytecode is compiled at install, so the first command (and a read-only environment) starts as
# fast as later ones; uv compiles what it installs, and compileall the project's own source,
# which the editable install leaves in src/.
$(STAMP): requirements/lock.txt pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode --require-hashes \
	  -r requirements/lock.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode --no-deps -e .
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

install: $(STAMP) frontend

# htmx and MediaPipe Pose from npm into src/backcare/web/static/vendor (pinned by package-lock.json);
# quick when already built, and a notice (not a failure) when npm is missing. The same npm package
# carries MediaPipe's "heavy" pose model, which the wheel lacks: it is copied, hash-checked, into
# MediaPipe's model folder (camera analyses with --pose-model heavy).
frontend: $(STAMP)
	@$(BIN)/python scripts/build_frontend.py
	@$(BIN)/python scripts/install_pose_models.py

lock: | $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --all-extras --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -o requirements/lock.txt -q

## The main job: the web app on http://127.0.0.1:8000 with a demo account (credentials printed),
## on an embedded SQLite database in the user's data dir (BACKCARE_DATABASE_URL selects another).
run: install
	$(BIN)/backcare serve --demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP) frontend
	$(BIN)/pytest -n 2 --dist loadfile

## Everything CI checks: lint, types, architecture contracts and the whole test suite.
test: lint types imports pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py $(BENCH)

## The documentation site (guides and the API reference from the docstrings) into site/;
## --strict: a broken link, a missing page or an unreadable docstring fails the build.
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist site

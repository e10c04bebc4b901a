# The two commands a new user runs: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test test-static test-python test-extension bench load lint extension clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

extension/node_modules/.installed: extension/package.json
	cd extension && (test -f package-lock.json && npm ci --no-audit --no-fund || npm install --no-audit --no-fund)
	touch $@

run: $(STAMP)
	$(VENV)/bin/abaila serve --host $(HOST) --port $(PORT)

test: test-static test-python test-extension

# Style the CI enforces (docs/shared style §12): ruff on everything Python, mypy strict on service/.
test-static: $(STAMP)
	$(VENV)/bin/ruff check service tests bench bench/evaluate bench/load
	$(VENV)/bin/mypy

test-python: $(STAMP)
	$(PY) -m pytest

test-extension:
	cd extension && node --test

bench: $(STAMP)
	$(PY) bench/bench_index.py
	$(PY) bench/bench_signals.py
	$(PY) bench/evaluate

load: $(STAMP)
	$(PY) bench/load

lint: $(STAMP) extension/node_modules/.installed
	$(VENV)/bin/ruff check service tests bench bench/evaluate bench/load
	cd extension && npm run lint

extension: extension/node_modules/.installed
	cd extension && sh build.sh

clean:
	rm -rf $(VENV) var dist .pytest_cache extension/node_modules

# One command per common job. Each target does its own set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DB ?= demo.duckdb
PORT ?= 8501

.PHONY: install browser demo test test-fast lint bench bench-full lock clean messages

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests (a browser download at install time fails here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(if $(shell id -u | grep -qx 0 && echo root),,sudo) apt-get update -qq && \
	  $(if $(shell id -u | grep -qx 0 && echo root),,sudo) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(VENV)/bin/cineledger demo --db $(DB) --port $(PORT)

test: install browser
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: install
	$(PY) -m pytest -n 2 --dist loadgroup -m "not browser and not slow" --hypothesis-profile=fast

lint: install
	$(VENV)/bin/ruff check finance rules dashboards tests
	$(VENV)/bin/ruff format --check finance rules dashboards tests
	$(VENV)/bin/mypy

bench: install
	$(PY) -m tests.bench.run

bench-full: install
	$(PY) -m tests.bench.run --portfolio

# The gettext catalogues (data/locale and each pack's locale/): the template from the English
# catalogue, French and Dutch updated from it (a changed English text turns them fuzzy), then
# compiled as a check (the .mo files are not kept: the app reads the .po files).
messages: install
	@set -e; for dir in data/locale rules/packs/*/locale; do \
	  if [ "$$dir" = data/locale ]; then domain=cineledger; else domain=pack; fi; \
	  $(VENV)/bin/pybabel -q extract -F data/locale/babel.cfg -w 100 --no-location \
	    --project=Cinéledger --version=1 -o $$dir/$$domain.pot.new $$dir; \
	  if cmp -s <(grep -v POT-Creation-Date $$dir/$$domain.pot.new) \
	      <(grep -v POT-Creation-Date $$dir/$$domain.pot 2>/dev/null); then \
	    rm $$dir/$$domain.pot.new; else mv $$dir/$$domain.pot.new $$dir/$$domain.pot; fi; \
	  $(VENV)/bin/pybabel -q update --ignore-pot-creation-date -w 100 \
	    -i $$dir/$$domain.pot -d $$dir -D $$domain; \
	  $(VENV)/bin/pybabel compile --statistics -d $$dir -D $$domain; \
	done; find data/locale rules/packs -name '*.mo' -delete

# Refresh the pinned lock after changing pyproject.toml dependencies.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet ".[dev]" playwright
	.lock-venv/bin/pip install --quiet "setuptools>=80" wheel
	.lock-venv/bin/pip freeze --all --exclude-editable | grep -vE "^(cineledger|pip)==" > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) *.duckdb .pytest_cache .mypy_cache .ruff_cache

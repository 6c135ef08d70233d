# Two commands for a newcomer: `make serve` and `make test`. Both create .venv from requirements.txt;
# `make test` also installs the browser-test tools (axe-core, the Nu HTML Checker, Lighthouse) from npm when
# npm is there. What only the operating system provides (Chromium, Java, npm itself) may be missing: the tests
# that need it then skip, each with one line that says what to install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready-$(shell cksum requirements.txt | cut -d' ' -f1)
TOOLS := tests/browser
TOOLS_READY := $(TOOLS)/node_modules/.ready-$(shell cksum $(TOOLS)/package-lock.json | cut -d' ' -f1)
EDITOR := editor
EDITOR_READY := $(EDITOR)/node_modules/.ready-$(shell cksum $(EDITOR)/package-lock.json | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve build check lint test test-fast bench screenshots clean browser-tools editor

$(READY): requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# --ignore-scripts: vnu-jar's install script would try to download a Java runtime.
$(TOOLS_READY): $(TOOLS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --prefix $(TOOLS) && touch $@; \
	else \
	  echo "npm not found: the axe, Nu HTML Checker and Lighthouse tests will skip (apt-get install npm)"; \
	fi

browser-tools: $(TOOLS_READY)

# The browser editor (README, "The browser editor"): Decap CMS, js-yaml and decap-server. A build needs them
# only when site.yaml enables the editor; the tests drive the editor in Chromium with them.
$(EDITOR_READY): $(EDITOR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --prefix $(EDITOR) && touch $@; \
	else \
	  echo "npm not found: the editor tests will skip (apt-get install npm)"; \
	fi

editor: $(EDITOR_READY)

serve: $(READY)
	$(BIN)/python build.py serve --host $(HOST) --port $(PORT)

build: $(READY)
	$(BIN)/python build.py build

check: $(READY)
	$(BIN)/python build.py check

lint: $(READY)
	$(BIN)/ruff check sitegen tests benchmarks build.py
	$(BIN)/ruff format --check sitegen tests benchmarks build.py
	$(BIN)/mypy

test: $(READY) $(TOOLS_READY) $(EDITOR_READY)
	$(BIN)/python -m pytest

# The quick loop: no browser, Java or real build processes (see the slow marker in pyproject.toml).
test-fast: $(READY)
	$(BIN)/python -m pytest -m "not slow"

bench: $(READY)
	$(BIN)/python benchmarks/bench.py

screenshots: $(READY)
	$(BIN)/python tests/browser/screenshots.py

clean:
	rm -rf output .venv .pytest_cache .hypothesis .cache .mypy_cache .ruff_cache $(TOOLS)/node_modules $(EDITOR)/node_modules maps/node_modules

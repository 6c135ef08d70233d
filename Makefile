# Two commands for a newcomer: `make serve` and `make test`. Both create .venv from requirements.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready-$(shell cksum requirements.txt | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve build check test bench screenshots clean

$(READY): requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

serve: $(READY)
	$(BIN)/python build.py serve --host $(HOST) --port $(PORT)

build: $(READY)
	$(BIN)/python build.py build

check: $(READY)
	$(BIN)/python build.py check

test: $(READY)
	$(BIN)/python -m pytest

bench: $(READY)
	$(BIN)/python benchmarks/bench.py

screenshots: $(READY)
	$(BIN)/python tests/browser/screenshots.py

clean:
	rm -rf output .venv .pytest_cache .hypothesis

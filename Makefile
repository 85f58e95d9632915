# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Install the bot and start it: the console, or the adapters whose tokens .env holds.
run: $(BIN)/python
	$(BIN)/python -m pip install -q .
	$(BIN)/iombot

# Install the bot as users get it (a real wheel, not an editable link) with the test tools,
# then lint and run every test.
test: $(BIN)/python
	$(BIN)/python -m pip install -q ".[test]"
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(BIN)/python
	$(BIN)/python -m pip install -q .
	$(BIN)/python bench/core_speed.py

clean:
	rm -rf $(VENV) build *.egg-info

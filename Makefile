# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean redis-server prometheus chromium check-monitoring
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The checkout is installed editable (a plain path to src/ in site-packages, whose iombot/core,
# bots and content link to the top-level folders): the bot, the tests and type checkers see the
# working tree, and no copy can go stale. tests/unit/test_packaging.py checks the real wheel.

# Install the bot and start it: the console, or the adapters whose tokens .env holds (with no
# token, the console says where the web chat opens).
run: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/iombot

# Install the bot with the test tools (and Debian's redis-server and prometheus, which the state
# and monitoring tests start on loopback, and chromium with npm for the web chat's browser
# tests), then lint and run every test.
test: $(BIN)/python redis-server prometheus chromium
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

redis-server:
	@command -v redis-server >/dev/null || { \
	  echo "installing Debian's redis-server for the tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server >/dev/null; }

prometheus:
	@command -v prometheus >/dev/null || { \
	  echo "installing Debian's prometheus for the tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    prometheus >/dev/null; }

# The web chat's browser tests (tests/e2e/test_webchat_browser.py): Debian's Chromium, driven by
# the playwright package of the test extras (never `playwright install`: no browser download), an
# emoji font for the screenshot, and npm, which fetches axe-core at test time.
chromium:
	@command -v chromium >/dev/null && command -v npm >/dev/null && \
	  [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || { \
	  echo "installing Debian's chromium, an emoji font and npm for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    chromium fonts-noto-color-emoji npm >/dev/null; }

# promtool on monitoring/: the config, the alert rules and their unit tests (README: Monitoring).
check-monitoring:
	bash scripts/check-monitoring

bench: $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python bench/core_speed.py
	$(BIN)/python bench/memory_both.py

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info data

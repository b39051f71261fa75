# HallQ: `make demo` runs the hall with demo data; `make test` runs every test.
# Both set up everything they need first (Python venv, pinned browser packages; for the tests
# also Debian's chromium and redis-server).
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000

.PHONY: setup demo test lint system-deps bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -qq --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -qq --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Real parts for the tests: a real Chromium for the pages, a real Redis for several processes.
system-deps:
	@command -v chromium >/dev/null && command -v redis-server >/dev/null \
	  && fc-list 2>/dev/null | grep -qi wqy || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium redis-server \
	    fonts-wqy-zenhei >/dev/null; }

# A demo is tried at any hour: issue tickets outside the demo hall's opening hours too.
demo: setup
	HALLQ_OPEN_HOURS_ONLY=$${HALLQ_OPEN_HOURS_ONLY:-0} $(PY) run.py --demo --history 5 --port $(PORT)

lint: setup
	$(PY) -m ruff check .

test: setup system-deps
	$(PY) -m ruff check .
	$(PY) -m pytest -q

bench: setup
	$(VENV)/bin/pip install -q -e '.[bench]'
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis

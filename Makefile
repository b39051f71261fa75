# HallQ: `make demo` runs the hall with demo data; `make test` runs every test.
# Both set up everything they need first (Python venv, pinned browser packages, the hall
# screen's voice clips rendered offline by espeak-ng; for the tests also Debian's chromium and
# redis-server).
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
CLIPS := displays/clips
SUDO = $$( [ "$$(id -u)" = 0 ] || echo sudo )

.PHONY: setup demo test test-pg lint system-deps voice-deps bench clean

setup: $(VENV)/.installed node_modules/.installed $(CLIPS)/.built

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -qq --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -qq --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The hall screen's recorded voice (docs/pages.md): every clip rendered offline by espeak-ng's
# Mandarin and English voices into displays/clips/ (not committed). Where espeak-ng cannot be
# installed the screen still speaks through the browser's voices, when it has them.
$(CLIPS)/.built: displays/voice.py displays/voice_build.py | $(VENV)/.installed
	@$(MAKE) --no-print-directory voice-deps || true
	@if command -v espeak-ng >/dev/null; then $(PY) -m displays.voice_build $(CLIPS) && touch $@; \
	  else echo "espeak-ng missing: no voice clips built (hall screens need a browser voice)"; fi

voice-deps:
	@command -v espeak-ng >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq espeak-ng >/dev/null; }

# Real parts for the tests: a real Chromium for the pages, a real Redis for several processes,
# a real PostgreSQL server (its programs only: tests/pg_cluster.py starts a throw-away cluster
# in a temporary folder, no system service), espeak-ng for the voice clips.
system-deps:
	@command -v chromium >/dev/null && command -v redis-server >/dev/null \
	  && command -v espeak-ng >/dev/null && fc-list 2>/dev/null | grep -qi wqy \
	  && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium redis-server \
	    fonts-wqy-zenhei espeak-ng postgresql >/dev/null; }

# A demo is tried at any hour: issue tickets outside the demo hall's opening hours too.
demo: setup
	HALLQ_OPEN_HOURS_ONLY=$${HALLQ_OPEN_HOURS_ONLY:-0} $(PY) run.py --demo --history 5 --port $(PORT)

lint: setup
	$(PY) -m ruff check .

# Every test on SQLite, the core subset on PostgreSQL too (tests/conftest.py, PG_CORE).
# `make test-pg` runs every test on PostgreSQL (the second CI pass; docs/deployment.md).
test: setup system-deps
	$(PY) -m ruff check .
	$(PY) -m pytest -q

test-pg: setup system-deps
	HALLQ_TEST_DB=postgresql $(PY) -m pytest -q

bench: setup
	$(VENV)/bin/pip install -q -e '.[bench]'
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis $(CLIPS)

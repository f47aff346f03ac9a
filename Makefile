# Thin wrappers: `make run` starts the studio, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export STUDIO_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
# The first Python >= 3.12 found: .python-version via pyenv, then python3.13/3.12/python3.
PYTHON ?= $(shell for p in $$(ls -d /root/.pyenv/versions/$$(cat .python-version 2>/dev/null)* 2>/dev/null | sed 's|$$|/bin/python|') \
	python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

# `make test` runs the suite twice: on SQLite, then on PostgreSQL + Redis servers that
# tests/servers/servers.sh installs (Debian packages), starts on loopback and stops.
# The first run is spread over two processes, a test file each at a time (module-scoped
# stacks stay whole); the second keeps only the tests whose outcome can depend on the
# engine (tests/conftest.py: differs_by_engine), spread the same way (each process has
# Redis databases of its own, tests/settings.py), then runs the tests marked serial in
# one: the API document's fuzzing, on PostgreSQL alone, whose columns refuse more of
# what a fuzzer sends than SQLite's (NUL characters, lengths).
PYTEST := DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -rs --durations=15 $(PYTEST_ARGS)
SERVERS := bash tests/servers/servers.sh

.PHONY: run test test-sqlite test-scale-out bench screenshots deps test-deps chromium

$(PY):
	@test -n "$(PYTHON)" || { echo "Studio needs Python 3.12 or newer; install it (e.g. pyenv install 3.12) and retry." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: $(VENV)/.deps tests/requirements.txt
	$(PY) -m pip install --quiet -r tests/requirements.txt
	touch $@

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo
	@echo "Studio on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the web server and the worker)"
	@# Both in the background; when one ends (or Ctrl-C, or SIGTERM) the other is stopped and
	@# waited for. (A trap that signalled its own group re-entered itself until bash crashed.)
	@# gunicorn runs in a session of its own, so Ctrl-C reaches it only as the trap's SIGTERM
	@# (which also closes the open event streams at once): a worker that got SIGINT exited
	@# from inside its signal handler and now and then deadlocked on a lock it held (seen
	@# with gthread workers: 2 runs in 7 left one hanging).
	@trap 'trap - INT TERM EXIT; kill -TERM $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(PY) manage.py worker & \
	setsid $(VENV)/bin/gunicorn studio.asgi:application --worker-class studio.web.Worker --bind 127.0.0.1:$(PORT) --workers 2 --timeout 120 --no-control-socket --access-logfile - & \
	wait -n

test: test-deps chromium
	@status=0; \
	echo "== make test: the suite on SQLite"; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	echo "== make test: the suite on PostgreSQL + Redis"; \
	$(MAKE) --no-print-directory test-scale-out || status=1; \
	exit $$status

test-sqlite: test-deps chromium
	env -u DATABASE_URL -u REDIS_URL $(PYTEST) -n 2 --dist loadfile -m "not serial"

# Browser tests (pages' looks included) and tests without a database run once, above;
# the API document's fuzzing (marked serial) once, here.
test-scale-out: test-deps chromium
	$(SERVERS) run bash -c '$(PYTEST) -n 2 --dist loadfile -m "not serial"; status=$$?; \
		$(PYTEST) -m serial && exit $$status'

bench: test-deps
	$(PY) -m tests.bench

# Every page and state at 1440 and 390 px in both themes, into screenshots/ (open
# screenshots/index.html); it serves its own studio world on SQLite.
screenshots: test-deps chromium
	env -u DATABASE_URL -u REDIS_URL $(PY) -m tests.screenshots

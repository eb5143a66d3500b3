# One entry point for people and CI. `make run` and `make test` work on a fresh machine:
# they create .venv (Python 3.11) and install what they need first.
SHELL := /bin/bash
PY311 ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PACKAGES := core app capabilities bot nlu scheduler store console webchat sms

.PHONY: browser-deps run serve test lint typecheck contracts pytest bench i18n-extract i18n-update i18n-compile migrate install clean lock release backup restore

# From the lock, every file checked against its hash (requirements-dev.lock = the runtime
# lock's exact versions + the test tools). `make lock` remakes both after a change of
# requirements*.txt.
$(STAMP): requirements.lock requirements-dev.lock
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP) i18n-compile

## The local chat in the terminal: SQLite under var/, embedded NLU, no token needed.
run: install
	$(PY) -m bot chat

## Serve: Telegram (if TELEGRAM_BOT_TOKEN is set) + scheduler + console.
serve: install
	$(PY) -m bot

migrate: install
	$(PY) -m store upgrade

## The whole quality gate, as CI runs it.
test: install browser-deps lint typecheck contracts pytest

## Debian's Chromium for the console's browser tests (Playwright drives /usr/bin/chromium).
browser-deps:
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

## The house's boundaries (pyproject.toml, [tool.importlinter]): layers, no cycles, who may
## import telegram, sqlalchemy and the web frameworks.
contracts: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: install
	$(PY) -m bench

## Translations (Babel): French is the source language.
i18n-extract: $(STAMP)
	$(VENV)/bin/pybabel extract -F locale/babel.cfg -k N_ -k N_plural:1,2 -k staff_gettext -k staff_ngettext:1,2 -o locale/messages.pot --no-location --sort-output --ignore-dirs=".venv .cache var tests bench" core app capabilities bot scheduler store console nlu webchat sms

i18n-update: i18n-extract
	$(VENV)/bin/pybabel update -i locale/messages.pot -d locale -D messages --no-fuzzy-matching

i18n-compile: $(STAMP)
	$(VENV)/bin/pybabel compile -d locale -D messages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache build dist

## The locks, with hashes (pip-tools in its own venv under .cache/; a few minutes).
PIP_TOOLS := .cache/pip-tools/bin
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	test -x $(PIP_TOOLS)/pip-compile || { $(PY311) -m venv .cache/pip-tools && $(PIP_TOOLS)/pip install --quiet pip-tools==7.6.2; }
	$(PIP_TOOLS)/pip-compile $(LOCK_FLAGS) --upgrade -o requirements.lock requirements.txt
	$(PIP_TOOLS)/pip-compile $(LOCK_FLAGS) -c requirements.lock -o requirements-dev.lock requirements-dev.txt

## The code's wheel in dist/ (docs/operations.md: run it from a checkout, config/ stays there).
release: $(STAMP)
	$(PY) -m pip wheel --quiet --no-deps -w dist .

## PostgreSQL backup (var/backups/) and restore: `make restore DUMP=var/backups/….dump`.
backup: $(STAMP)
	$(PY) -m store backup

restore: $(STAMP)
	@test -n "$(DUMP)" || { echo "usage: make restore DUMP=var/backups/….dump"; exit 2; }
	$(PY) -m store restore "$(DUMP)" --yes

## Rasa 3.6.21 (production NLU) in its own Python 3.10 venv under .cache/ (installed once, about
## 3 min), trained when nlu/ data or config changed. `make rasa-serve` needs RASA_TOKEN; then run
## the bot with RASA_URL=http://127.0.0.1:5005 (and the same RASA_TOKEN).
.PHONY: rasa rasa-serve rasa-validate
RASA_PORT ?= 5005

rasa: $(STAMP)
	$(PY) -m nlu.rasa_env train

rasa-validate: $(STAMP)
	$(PY) -m nlu.rasa_env validate

rasa-serve: rasa
	$(PY) -m nlu.rasa_env serve --port $(RASA_PORT)

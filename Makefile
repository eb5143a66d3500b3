# One entry point for people and CI. `make run` and `make test` work on a fresh machine:
# they create .venv (Python 3.11) and install what they need first.
SHELL := /bin/bash
PY311 ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PACKAGES := core app capabilities bot nlu scheduler store console webchat sms

.PHONY: browser-deps run serve test lint typecheck contracts pytest bench i18n-extract i18n-update i18n-compile migrate install clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
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
	$(VENV)/bin/pybabel extract -F locale/babel.cfg -k N_ -o locale/messages.pot --no-location --sort-output --ignore-dirs=".venv .cache var tests bench" core app capabilities bot scheduler store console nlu webchat

i18n-update: i18n-extract
	$(VENV)/bin/pybabel update -i locale/messages.pot -d locale -D messages --no-fuzzy-matching

i18n-compile: $(STAMP)
	$(VENV)/bin/pybabel compile -d locale -D messages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache

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

# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test once system-deps bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) is required (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mailbot directory import classifiers/directory.sample.csv
	$(BIN)/mailbot seed-demo
	$(BIN)/mailbot run

once: $(STAMP)
	$(BIN)/mailbot once

# Dovecot is a real IMAP server for the integration tests; installed when missing.
system-deps:
	@if command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/dovecot-lda ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing dovecot-imapd and dovecot-sieve (needed by the integration tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-sieve >/dev/null; \
	else \
		echo "make: the tests need Dovecot: run 'sudo apt-get install -y dovecot-imapd dovecot-sieve' (or make test as root)"; exit 1; \
	fi

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

bench: $(STAMP) system-deps
	$(BIN)/python bench/analyze_speed.py
	$(BIN)/python bench/backlog.py

clean:
	rm -rf $(VENV) var .pytest_cache

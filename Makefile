# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test once system-deps bench model clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) is required (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The daemon and the review web app together; the web app stops with the daemon (Ctrl-C).
run: $(STAMP)
	$(BIN)/mailbot directory import classifiers/directory.sample.csv
	$(BIN)/mailbot seed-demo
	$(BIN)/mailbot users demo
	$(BIN)/mailbot web & web=$$!; trap 'kill $$web 2>/dev/null' EXIT INT TERM; $(BIN)/mailbot run

once: $(STAMP)
	$(BIN)/mailbot once

# Dovecot is a real IMAP server for the integration tests, Debian's Chromium the browser of the web
# app's tests (Playwright drives it; its own browser download is not used); installed when missing.
system-deps:
	@missing=""; \
	{ command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/dovecot-lda ]; } || missing="dovecot-imapd dovecot-sieve"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing$$missing (needed by the integration and browser tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "make: the tests need$$missing: run 'sudo apt-get install -y$$missing' (or make test as root)"; exit 1; \
	fi

# Two workers for everything but the tests that time themselves, which then run alone so that no
# other test's load counts against their bounds. Plain `pytest` still runs the whole suite in one process.
test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n 2 -m 'not timing'
	$(BIN)/python -m pytest -m timing

bench: $(STAMP) system-deps
	$(BIN)/python bench/analyze_speed.py
	$(BIN)/python bench/backlog.py

# The situation classifier: the tune corpus's mails become examples beside the hand-written ones, then
# the model is trained on all of them (deterministic: the same files give the same model, to the byte).
model: $(STAMP)
	$(BIN)/mailbot examples tests/corpus/tune --out classifiers/examples/corpus_tune.jsonl
	$(BIN)/mailbot train

clean:
	rm -rf $(VENV) var .pytest_cache

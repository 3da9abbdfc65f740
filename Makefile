# Tokutei — two commands: `make demo` (start with demo data on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
DEMO_DIR ?= var/demo
PORT   ?= 8000

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: a demo organisation with synthetic staff and people, served by `tokutei serve` (the
## production server, gunicorn) on http://localhost:8000 — demo settings: plain HTTP on loopback, 2 workers;
## a page asked for on 127.0.0.1 is sent on to localhost (WebAuthn does not work on an IP address).
DEMO_ENV = TOKUTEI_DATA_DIR=$(DEMO_DIR) TOKUTEI_SECURE=0 TOKUTEI_WORKERS=2 \
	  TOKUTEI_WEBAUTHN_ORIGINS=http://localhost:$(PORT) TOKUTEI_CANONICAL_HOST=localhost:$(PORT)
demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/tokutei demo --port $(PORT) --no-serve
	$(DEMO_ENV) $(BIN)/tokutei serve --bind 127.0.0.1:$(PORT)

## make test: the whole suite on SQLite, then again on PostgreSQL when TOKUTEI_TEST_DATABASE_URL is set
test: $(STAMP)
	env -u TOKUTEI_TEST_DATABASE_URL $(BIN)/pytest -n 2 --dist loadfile
	@if [ -n "$$TOKUTEI_TEST_DATABASE_URL" ]; then \
	  echo "== PostgreSQL: $$TOKUTEI_TEST_DATABASE_URL =="; \
	  $(BIN)/pytest -n 2 --dist loadfile; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

clean:
	rm -rf $(VENV) var/demo

# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PO     := $(wildcard locales/*/LC_MESSAGES/wbs.po)
MO     := $(PO:.po=.mo)

.PHONY: run test lint locales extract diagrams bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

locales/%/LC_MESSAGES/wbs.mo: locales/%/LC_MESSAGES/wbs.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -D wbs -i $< -o $@

locales: $(MO)

## run: chat in the terminal (or run the configured Telegram/WhatsApp channels)
run: $(STAMP) locales
	$(BIN)/wbs run

## test: the whole test suite (PostgreSQL tests run when 127.0.0.1:5432 answers)
test: $(STAMP) locales
	$(BIN)/pytest -q

## lint: ruff (style, bugs, complexity) and mypy (types) over the whole tree
lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/mypy bot handlers storage

## extract: the msgids used in code, for comparing with the catalogs
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k t -o locales/wbs.pot .

## diagrams: docs/flows/, a Mermaid diagram of each flow drawn from its data (a test checks they are current)
diagrams: $(STAMP)
	$(BIN)/python -m handlers.engine.diagram docs/flows

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

## bench: load benchmark vs. a plain python-telegram-bot echo bot (a few minutes; not in `make test`)
bench: $(BENCH_STAMP) locales
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(MO) .pytest_cache

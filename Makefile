# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test chaos chaos-short lint bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	-.ci/install-cjk-font
	-.ci/install-browser
	touch $(STAMP)

## Set up and run the main job: the bot on Telegram with TELEGRAM_BOT_TOKEN, else the offline sandbox.
demo: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=.' .env; then \
		$(BIN)/duban run; else $(BIN)/duban sandbox; fi

## Set up and run the tests (the chaos drills apart: `make chaos-short`, `make chaos`).
test: $(STAMP)
	$(BIN)/pytest -q -m "not chaos" -n 2 --dist worksteal

## The chaos drills' short version (CI): a few days of each fault, figures printed.
chaos-short: $(STAMP)
	$(BIN)/pytest -q -s -m chaos tests/chaos

## The full chaos drills: five weeks, 20+ kills, a third of API calls failing, two minutes of
## terminated connections and a restart, two replicas with slow sends, 1,000 strangers' updates.
chaos: $(STAMP)
	DUBAN_CHAOS=full $(BIN)/pytest -q -s -m chaos tests/chaos

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Every benchmark, each figure beside its reference: writes benchmarks/results.json.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

## The same at small sizes, in about two minutes.
bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --quick

clean:
	rm -rf $(VENV)

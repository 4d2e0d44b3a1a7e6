# Every target builds its own virtualenv, so a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck unit demo bench bench-quick soak schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2

test: lint typecheck unit

demo: $(STAMP)
	@echo "A fresh local workspace (the embedded emulator, state in .sharepack/local.db)."
	rm -f .sharepack/local.db
	$(BIN)/sharepack apply sharepacks/seed_example.yaml --target local --auto-approve
	@echo
	@echo "Applying again: the workspace already matches, so nothing changes."
	$(BIN)/sharepack apply sharepacks/seed_example.yaml --target local --auto-approve
	@echo
	@echo "Running one schedule job now and waiting for it:"
	$(BIN)/sharepack run sharepacks/seed_example.yaml sales_daily_sync --target local --wait
	@echo
	$(BIN)/sharepack status sharepacks/seed_example.yaml --target local

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.run --quick

soak: $(STAMP)
	SHAREPACK_SOAK=1 $(BIN)/pytest -n 2 -m soak tests/reliability

schema: $(STAMP)
	$(BIN)/sharepack schema > schemas/sharepack.schema.json

clean:
	rm -rf $(VENV) .sharepack .pytest_cache .mypy_cache .ruff_cache

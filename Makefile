# Every target builds its own virtualenv, so a fresh clone needs nothing but Python 3.11+.
# Installs are locked: requirements/lock.txt (hashes) is what .venv gets, exactly; `make lock` refreshes it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/lock.txt
# The same dependencies at the lowest versions pyproject.toml allows: proves the floors (make test-lowest).
LOWEST_VENV := .venv-lowest
LOWEST_LOCK := requirements/lock-lowest.txt
UV_LOCK := requirements/uv.txt
# The newest versions pyproject.toml allows, resolved when `make test-latest` runs (no lock): what a
# `pip install` user gets today.
LATEST_VENV := .venv-latest
# PySpark + Delta Lake for `make test-pipelines` (requirements/spark.in): a test-only peer in a venv of its
# own; the Delta jars (and spark-catalyst's tests jar, for the Auto CDC targets) come from Maven Central into
# $(SPARK_CACHE), kept outside the repo.
SPARK_VENV := .venv-spark
SPARK_LOCK := requirements/spark-lock.txt
SPARK_CACHE ?= $(HOME)/.cache/sharepack/spark
# PySpark 4.3 (requirements/spark43.in), for the SCD type 2 case: no Delta runs on Spark 4.3 yet.
SPARK43_VENV := .venv-spark43
SPARK43_LOCK := requirements/spark43-lock.txt

# Quiet installs: no pip "new version available" notice, no uv hardlink warning when the cache is on
# another filesystem, and never an outer activated venv mistaken for ours.
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export UV_LINK_MODE := copy
export UV_NO_PROGRESS := 1
unexport VIRTUAL_ENV

# uv pip compile, the same way for every lock: any platform, Python 3.11 and up, every file hashed.
COMPILE = $(BIN)/uv pip compile -q --upgrade --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock"

.PHONY: test-clients test-pipelines install lock test test-lowest test-latest test-wheel lint typecheck unit demo bench bench-quick bench-peers soak schema clean

# $(1): the venv, $(2): its lock. uv comes from pip (pinned, with hashes); then `uv pip sync` makes the venv
# exactly the lock (removing anything else) and the project goes in editable, with no dependency of its own.
define build_venv
	@echo "installing dependencies into $(1) from $(2)…"
	@test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	@$(1)/bin/python -m pip install -q --require-hashes --no-deps -r $(UV_LOCK)
	@$(1)/bin/uv pip sync -q --python $(1)/bin/python --require-hashes --compile-bytecode $(2)
	@$(1)/bin/uv pip install -q --python $(1)/bin/python --no-deps --no-build-isolation --compile-bytecode -e .
	@touch $(1)/.installed
endef

$(STAMP): pyproject.toml $(LOCK) $(UV_LOCK)
	$(call build_venv,$(VENV),$(LOCK))

$(LOWEST_VENV)/.installed: pyproject.toml $(LOWEST_LOCK) $(UV_LOCK)
	$(call build_venv,$(LOWEST_VENV),$(LOWEST_LOCK))

$(SPARK_VENV)/.installed: pyproject.toml $(SPARK_LOCK) $(UV_LOCK)
	$(call build_venv,$(SPARK_VENV),$(SPARK_LOCK))

$(SPARK43_VENV)/.installed: pyproject.toml $(SPARK43_LOCK) $(UV_LOCK)
	$(call build_venv,$(SPARK43_VENV),$(SPARK43_LOCK))

install: $(STAMP)

# uv alone, for `make lock` (which must work while the locks are stale or missing).
$(VENV)/.uv: $(UV_LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --require-hashes --no-deps -r $(UV_LOCK)
	@touch $@

# Re-resolve the locks to the newest (and the lowest) versions pyproject.toml allows, and re-pin uv.
# The Spark lock shares every version it has in common with the main lock (-c).
lock: $(VENV)/.uv
	@echo "resolving $(UV_LOCK), $(LOCK), $(LOWEST_LOCK), $(SPARK_LOCK) and $(SPARK43_LOCK)…"
	@$(COMPILE) requirements/uv.in -o $(UV_LOCK)
	@$(COMPILE) pyproject.toml requirements/tools.in --extra dev -o $(LOCK)
	@$(COMPILE) --resolution lowest-direct pyproject.toml requirements/tools.in --extra dev -o $(LOWEST_LOCK)
	@$(COMPILE) pyproject.toml requirements/tools.in requirements/spark.in -c $(LOCK) -o $(SPARK_LOCK)
	@$(COMPILE) pyproject.toml requirements/tools.in requirements/spark43.in -c $(LOCK) -o $(SPARK43_LOCK)

lint: $(STAMP)
	@$(BIN)/ruff check src tests benchmarks
	@$(BIN)/ruff format --check src tests benchmarks
	@$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	@$(BIN)/mypy

unit: $(STAMP)
	@$(BIN)/pytest -n 2

test: lint typecheck unit

# Lint, typecheck and the test suite against the lowest allowed versions (requirements/lock-lowest.txt),
# in a venv of their own: proves every floor in pyproject.toml, the dev tools' too. Formatting is
# checked by the locked ruff only: two ruff releases may disagree on a blank line, and the code
# has one format, not two.
test-lowest: $(LOWEST_VENV)/.installed
	@$(LOWEST_VENV)/bin/ruff check --cache-dir $(LOWEST_VENV)/.ruff_cache src tests benchmarks
	@$(LOWEST_VENV)/bin/mypy --cache-dir $(LOWEST_VENV)/.mypy_cache
	@$(LOWEST_VENV)/bin/lint-imports --no-cache
	@$(LOWEST_VENV)/bin/pytest -n 2

# The canary for what `pip install` users get: lint, typecheck and the whole suite in $(LATEST_VENV) on
# the newest versions pyproject.toml allows, resolved now (uv pip install --upgrade, no lock), so an
# upstream release that breaks us shows here first. Not in .ci/run: a release must not stop a landing.
# Run it before every stop; red means a dependency's new release breaks us (fix or cap it in pyproject).
# Formatting is checked by the locked ruff only, as in test-lowest.
test-latest: $(VENV)/.uv
	@echo "installing the newest allowed dependencies into $(LATEST_VENV)…"
	@test -x $(LATEST_VENV)/bin/python || $(PYTHON) -m venv $(LATEST_VENV)
	@$(BIN)/uv pip install -q --python $(LATEST_VENV)/bin/python --upgrade --compile-bytecode \
		-r requirements/tools.in -e '.[dev]'
	@$(BIN)/uv pip list --python $(LATEST_VENV)/bin/python 2>/dev/null \
		| grep -iE '^(databricks-sdk|typer|click|pydantic|rich|ruff|mypy|pytest) ' | tr -s ' ' | paste -sd, -
	@$(LATEST_VENV)/bin/ruff check --cache-dir $(LATEST_VENV)/.ruff_cache src tests benchmarks
	@$(LATEST_VENV)/bin/mypy --cache-dir $(LATEST_VENV)/.mypy_cache
	@$(LATEST_VENV)/bin/lint-imports --no-cache
	@SHAREPACK_WHEEL_TEST=1 $(LATEST_VENV)/bin/pytest -n 2

# The README's "Without the repository" block run as written from an empty folder, with a wheel of
# this checkout pip-installed (newest dependencies, from the index) into a fresh venv, then the
# seed example applied on an emulator failing a fifth of its requests. About a minute; needs the
# package index, so it is not in `make test` (test-latest runs it too).
test-wheel: $(STAMP)
	@SHAREPACK_WHEEL_TEST=1 $(BIN)/pytest -p no:cacheprovider tests/test_install_from_wheel.py

# The emulator checked by clients we did not write: the JavaScript SDK (also in `make test` when
# node is present), the Go SDK (its first build takes minutes, so only here) and, once `make
# bench-peers` has built it, the Databricks CLI's bundle deploy/redeploy/plan/destroy cycle.
test-clients: $(STAMP)
	@SHAREPACK_GO_CONFORMANCE=1 \
	 SHAREPACK_DABS_CLI=$${SHAREPACK_DABS_CLI:-$$($(BIN)/python -c 'from benchmarks.peers.databricks_cli import binary_path as b; print(b() if b().exists() else "")')} \
	 $(BIN)/pytest -n 2 tests/emulator/test_go_sdk.py tests/emulator/test_js_sdk.py tests/emulator/test_bundle_cli.py

# The generated sync code run for real: Spark Declarative Pipelines (spark-pipelines) on local Delta
# tables, compared row by row with the expected result (tests/pipelines_spark) — SCD 1 and full copies
# on PySpark 4.2 with Delta, then SCD 2 on PySpark 4.3 (no Delta there yet). Needs Java 17+; without
# it this says so and succeeds, so CI on a machine without Java is not red for it. Each pytest gets a
# temporary folder of its own: pytest prunes old ones under /tmp/pytest-of-<user>, which other test
# sessions on the machine would do while a Spark server still works in them.
test-pipelines:
	@if ! command -v java >/dev/null 2>&1; then \
		echo "test-pipelines: skipped, no java on PATH (Spark needs Java 17 or newer)"; exit 0; fi; \
	$(MAKE) --no-print-directory $(SPARK_VENV)/.installed $(SPARK43_VENV)/.installed && \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export SHAREPACK_SPARK_PIPELINES=1 SHAREPACK_SPARK_CACHE="$(SPARK_CACHE)" && \
	$(SPARK_VENV)/bin/pytest -p no:cacheprovider --basetemp="$$tmp/spark42" -rfExX tests/pipelines_spark \
		--ignore=tests/pipelines_spark/test_scd2_on_spark43.py && \
	$(SPARK43_VENV)/bin/pytest -p no:cacheprovider --basetemp="$$tmp/spark43" -rfExX \
		tests/pipelines_spark/test_scd2_on_spark43.py

demo: $(STAMP)
	@echo "A fresh local workspace (the embedded emulator, state in .sharepack/local.db)."
	@rm -f .sharepack/local.db
	@$(BIN)/sharepack emulator --seed-tables sharepacks/tables/seed_example.yaml --seed-only
	@$(BIN)/sharepack apply sharepacks/seed_example.yaml --target local --auto-approve
	@echo
	@echo "Applying again: the workspace already matches, so nothing changes."
	@$(BIN)/sharepack apply sharepacks/seed_example.yaml --target local --auto-approve
	@echo
	@echo "Running one schedule job now and waiting for it:"
	@$(BIN)/sharepack run sharepacks/seed_example.yaml sales_daily_sync --target local --wait
	@echo
	@$(BIN)/sharepack status sharepacks/seed_example.yaml --target local

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.run --quick

# sharepack against `databricks bundle deploy` (direct engine) on the same work. The CLI is built
# once from the Go module proxy into a cache outside the repo ($SHAREPACK_PEERS_CACHE, else
# $XDG_CACHE_HOME or ~/.cache, /sharepack-peers); without Go or the proxy it says why and skips.
# About 40 minutes; `python -m benchmarks.peers.run --sizes 10 100 --regimes latency` for a part.
# Both suites in one run: the CLI as shipped (its Go SDK paces itself at 15 requests/s), then with
# that limiter lifted, latency-bound (rows of suite peers_cli_rate_limit_1000).
bench-peers: $(STAMP)
	$(BIN)/python -m benchmarks.peers.run
	$(BIN)/python -m benchmarks.peers.run --regimes latency --cli-rate-limit 1000

soak: $(STAMP)
	SHAREPACK_SOAK=1 $(BIN)/pytest -n 2 -m soak tests/reliability

schema: $(STAMP)
	$(BIN)/sharepack schema > schemas/sharepack.schema.json

clean:
	rm -rf $(VENV) $(LOWEST_VENV) $(LATEST_VENV) $(SPARK_VENV) $(SPARK43_VENV) .sharepack .pytest_cache .mypy_cache .ruff_cache

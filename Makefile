# The two commands: `make demo` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Debian packages the tests or the demo need (installed when missing, if we are root): the reverse
# proxy docker-compose.yml ships (nginx) and the tools its health checks, the backup guide and the
# compose smoke test run (wget, pg_dump and pg_restore, sqlite3).
DEBIAN_PACKAGES := nginx-light wget postgresql-client sqlite3
# Debian packages only the benchmarks need (wrk: a load generator that costs little CPU).
BENCH_PACKAGES := wrk

.PHONY: demo test install debian debian-packages lint unit bench proof clean

demo: install
	$(BIN)/codev demo

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy sync_service
	$(BIN)/mypy --strict tests/service/unit/fakes  # the fakes implement the ports
	$(BIN)/lint-imports --no-cache --no-logo  # layers point inward, no circle (pyproject: importlinter)
	$(BIN)/pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory debian
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "codev needs Python 3.11 or newer"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

debian:
	@$(MAKE) --no-print-directory debian-packages PACKAGES="$(DEBIAN_PACKAGES)"

debian-packages:
	@missing=""; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="python3-venv"; \
	for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

lint:
	$(BIN)/ruff check .

unit: install
	$(BIN)/pytest tests/service/unit tests/sandbox/unit -q

bench: install
	@$(MAKE) --no-print-directory debian-packages PACKAGES="$(BENCH_PACKAGES)"
	$(BIN)/python bench/matching.py --quick
	$(BIN)/python bench/webhook_intake.py --quick
	$(BIN)/python bench/publish.py --quick
	$(BIN)/python bench/dashboard.py --quick  # PostgreSQL: CODEV_TEST_POSTGRES_URL, else skipped
	$(BIN)/python bench/brokerage.py --quick

# The longer proofs (docs/reliability.md): the proxy held by 50 slow clients for a minute (make test
# holds them 12 s); the crash proof at full size on PostgreSQL, five runs in a row (make test runs a
# lighter one): 3 workers, 10,000 edits, 50 SIGKILLs, 10 % API faults, a CPU hog; 10,000 hostile
# deliveries against codev serve on both databases (make test sends 600); the plan import of all six
# sample plans with a worker killed, on both databases (make test imports three, on PostgreSQL). It needs
# CODEV_TEST_POSTGRES_URL (as .ci/run sets it).
PROOF_RUNS ?= 5
proof: install
	CODEV_PROOF_SECONDS=60 $(BIN)/pytest -q -s tests/deploy/test_proxy_slow_clients.py
	@test -n "$$CODEV_TEST_POSTGRES_URL" || { echo "make proof: set CODEV_TEST_POSTGRES_URL"; exit 2; }
	CODEV_PROOF_FUZZ=1 $(BIN)/pytest -q -s tests/service/e2e/test_fuzz_deliveries.py
	CODEV_PROOF_PLANS=1 $(BIN)/pytest -q -s tests/service/e2e/test_plan_import.py
	for run in $$(seq 1 $(PROOF_RUNS)); do \
	  CODEV_PROOF_CRASH=1 $(BIN)/pytest -q -s \
	    "tests/service/e2e/test_crash.py::test_workers_killed_at_random_moments_lose_nothing_and_never_undo_a_newer_write[postgresql]" \
	    || exit 1; \
	done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# The Discourse plugin's checks (tests/plugin): Debian's chromium, ruby and rubocop, the plugin's npm
# tools from its lock file (npm ci, redone only when package-lock.json changes).
PLUGIN_PACKAGES := chromium ruby rubocop
PLUGIN_STAMP := discourse_plugin/node_modules/.codev-installed

.PHONY: plugin-deps plugin-check

test: plugin-deps

plugin-deps:
	@$(MAKE) --no-print-directory debian-packages PACKAGES="$(PLUGIN_PACKAGES)"
	@lock=$$(sha256sum discourse_plugin/package-lock.json | cut -d' ' -f1); \
	if [ ! -f $(PLUGIN_STAMP) ] || [ "$$(cat $(PLUGIN_STAMP))" != "$$lock" ]; then \
	  (cd discourse_plugin && npm ci --no-audit --no-fund --loglevel=error) && printf %s "$$lock" > $(PLUGIN_STAMP); \
	fi

plugin-check: install plugin-deps
	$(BIN)/pytest tests/plugin

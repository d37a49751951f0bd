# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := tests/fixtures/sample-tenant
DEMO_OUT := out/demo
# The sample tenant's clock is fixed so the demo report is reproducible.
DEMO_NOW := 2026-11-21T09:00:00Z
DEMO_LIVE_OUT := out/demo-live
# The sample tenant's emergency-access accounts (see tests/fixtures/sample-tenant/contoso-health-entra.json).
BREAK_GLASS := --break-glass e3a1c5d7-0b2f-4e6a-9c8d-1f3b5d7e9a01 --break-glass e3a1c5d7-0b2f-4e6a-9c8d-1f3b5d7e9a02

.PHONY: demo demo-live test lint unit wheel-check golden bench bench-big bench-collect clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("hipaa-scan needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo is the full audit package: the organization policy (regions, break-glass
# accounts, PHI scope) and attestations from docs/examples, the proposed-rule
# readiness view, and the HTML, PDF and JSON reports with their evidence manifest.
# The PDF needs Chromium (scripts/ensure-chromium installs Debian's when it can); without it the demo says so and skips the PDF.
DEMO_PACKAGE := --config docs/examples/hipaa-scan.toml --attestations docs/examples/attestations.yaml --profile hipaa-nprm-2025

demo: $(STAMP)
	@if scripts/ensure-chromium; then formats=json,html,pdf; else formats=json,html; echo "demo: no Chromium, so no PDF"; fi; \
	$(BIN)/hipaa-scan scan $(SAMPLE) --out $(DEMO_OUT) $(DEMO_PACKAGE) --format $$formats --now $(DEMO_NOW) --fail-on never
	@echo
	@echo "Demo reports written:"
	@echo "  HTML: $(abspath $(DEMO_OUT))/hipaa-scan-report.html"
	@echo "  PDF:  $(abspath $(DEMO_OUT))/hipaa-scan-report.pdf"
	@echo "  JSON: $(abspath $(DEMO_OUT))/hipaa-scan-report.json"
	@echo "  Evidence manifest: $(abspath $(DEMO_OUT))/hipaa-scan-manifest.json (check it with: hipaa-scan verify $(DEMO_OUT))"

# Start the local Azure emulator (HTTPS on 127.0.0.1, serving the sample tenant),
# collect from it with the real Azure SDKs, and scan what was collected.
demo-live: $(STAMP)
	@$(BIN)/python scripts/demo_live.py --out $(DEMO_LIVE_OUT) --now $(DEMO_NOW) -- \
		--allowed-locations eastus,eastus2,centralus,westus2 $(BREAK_GLASS) --fail-on never

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# axe-core, for the accessibility check in the browser tests (versions in package-lock.json);
# installed again only when the lock file changes. The report itself never loads it.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

unit: $(STAMP) node_modules/.package-lock.json
	scripts/ensure-chromium
	HIPAA_SCAN_REQUIRE_BROWSER=1 $(BIN)/python -m pytest

# Build the wheel, install it in a clean venv and scan from another directory.
wheel-check: $(STAMP)
	$(BIN)/python tests/wheel_check.py

test: lint unit wheel-check

# Regenerate golden outputs (never edit them by hand).
golden: $(STAMP)
	$(BIN)/python tests/regenerate_golden.py

# Regenerate docs/rules.md, the rule reference, from the rule registry (never edit it by hand).
.PHONY: docs
docs: $(STAMP)
	$(BIN)/python scripts/generate_docs.py

# The README's screenshots of the demo report (docs/screenshots/*.png), taken in headless Chromium.
.PHONY: screenshots
screenshots: demo
	$(BIN)/python scripts/screenshots.py $(DEMO_OUT)/hipaa-scan-report.html docs/screenshots

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scan.py --sizes 10000,100000

bench-big: $(STAMP)
	$(BIN)/python benchmarks/bench_scan.py --sizes 1000000 --forms snapshot --repeat 1

# Live collection against the emulator: 20 subscriptions x 500 resources, 50 ms per request.
bench-collect: $(STAMP)
	$(BIN)/python benchmarks/bench_collect.py

clean:
	rm -rf $(VENV) out dist build .mypy_cache .ruff_cache .pytest_cache

"""The golden report: the sample tenant scanned with a fixed clock.

Regenerate with `make golden` after an intended change; never edit by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

from hipaa_scan import cli
from hipaa_scan.reporting import OutputFormat

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "fixtures" / "golden"
GOLDEN = GOLDEN_DIR / "sample-tenant.report.json"
# Every machine-readable format is held to a golden file; the HTML is tested
# in Chromium instead (its markup changes for reasons no consumer sees).
FORMATS = ("json", "sarif", "junit", "markdown", "csv")
ARGS = [
    "scan",
    "tests/fixtures/sample-tenant",
    "--format",
    ",".join(FORMATS),
    "--allowed-locations",
    "eastus,eastus2,centralus,westus2",
    # The sample tenant's emergency-access accounts, as `make demo` passes them.
    "--break-glass",
    "e3a1c5d7-0b2f-4e6a-9c8d-1f3b5d7e9a01",
    "--break-glass",
    "e3a1c5d7-0b2f-4e6a-9c8d-1f3b5d7e9a02",
    "--now",
    "2026-11-21T09:00:00Z",
    "--quiet",
]


def golden_path(fmt: str) -> Path:
    return GOLDEN_DIR / f"sample-tenant.report{OutputFormat(fmt).filename.removeprefix('hipaa-scan-report')}"


def render_golden(out_dir: Path) -> dict[str, bytes]:
    """Scan from the repository root so input paths in the manifest are stable;
    each format's bytes."""
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        code = cli.main([*ARGS, "--out", str(out_dir)])
    finally:
        os.chdir(cwd)
    assert code == 1, code
    return {fmt: (out_dir / OutputFormat(fmt).filename).read_bytes() for fmt in FORMATS}

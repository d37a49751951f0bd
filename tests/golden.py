"""The golden report: the sample tenant scanned with a fixed clock.

Regenerate with `make golden` after an intended change; never edit by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

from hipaa_scan import cli

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "sample-tenant.report.json"
ARGS = [
    "scan",
    "tests/fixtures/sample-tenant",
    "--format",
    "json",
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


def render_golden(out_dir: Path) -> bytes:
    """Scan from the repository root so input paths in the manifest are stable."""
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        code = cli.main([*ARGS, "--out", str(out_dir)])
    finally:
        os.chdir(cwd)
    assert code == 1, code
    return (out_dir / "hipaa-scan-report.json").read_bytes()

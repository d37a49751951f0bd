"""The benchmarks stay runnable: a small run of each (figures are not asserted;
`make bench` and `make bench-collect` measure)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The bench's input forms and the format the loader must report for each.
FORMS = {"snapshot": "hipaa-scan-snapshot", "resource-graph": "resource-graph", "template": "arm-template"}


def test_scan_benchmark_runs_at_2000_resources() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_scan.py"), "--sizes", "1000,2000", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for stage in ("load + detect + validate", "evaluate rules", "checklist + scores", "write JSON and HTML reports"):
        assert stage in out
    assert "jobs: auto -> " in out
    # A row per form and size, read as that form, ending in its scan / parse ratio.
    for form, detected in FORMS.items():
        rows = re.findall(rf"^  {form} +{detected} +.* \d+\.\dx$", out, re.MULTILINE)
        assert len(rows) == 2, (form, out)
        assert f"linearity ({form}): time grew" in out
    assert "in headless Chromium:" in out
    assert re.search(r"summary shown in [\d.]+ s, browser start-up [\d.]+ s", out) or "skipped" in out


def test_scan_benchmark_max_ratio_needs_the_snapshot_form() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_scan.py"), "--forms", "template", "--max-ratio", "5"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 2 and "include it in --forms" in run.stderr


def test_collect_benchmark_runs_on_a_small_tenant() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_collect.py"),
            "--subscriptions",
            "1",
            "--resources",
            "20",
            "--latency-ms",
            "0",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    assert "speedup" in run.stdout and "requests by API" in run.stdout

"""The benchmarks stay runnable: a small run of each (figures are not asserted;
`make bench` and `make bench-collect` measure)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scan_benchmark_runs_at_2000_resources() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_scan.py"), "--sizes", "1000,2000"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "ratio (scan / parse)" in run.stdout and "linearity" in run.stdout


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

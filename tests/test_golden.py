"""The sample tenant's JSON report matches the golden file byte for byte.

A difference means behaviour changed: review it, then run `make golden`."""

from __future__ import annotations

from pathlib import Path

from golden import GOLDEN, render_golden


def test_sample_tenant_report_matches_golden(tmp_path: Path) -> None:
    actual = render_golden(tmp_path)
    assert GOLDEN.exists(), "run `make golden` to create the golden report"
    assert actual == GOLDEN.read_bytes(), "report changed: review the diff, then run `make golden`"

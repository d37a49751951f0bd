"""The sample tenant's JSON report matches the golden file byte for byte.

A difference means behaviour changed: review it, then run `make golden`."""

from __future__ import annotations

import pytest
from golden import FORMATS, golden_path, render_golden


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return render_golden(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_tenant_report_matches_golden(rendered: dict[str, bytes], fmt: str) -> None:
    golden = golden_path(fmt)
    assert golden.exists(), f"run `make golden` to create {golden.name}"
    assert rendered[fmt] == golden.read_bytes(), f"{golden.name} changed: review the diff, then run `make golden`"

"""The template corpus (tests/fixtures/templates/): each template scans with
exit 0 or 1 (a valid template is never an input error) and gives the verdicts
its expectations list, following Azure's documented semantics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaa_scan.cli import main

CORPUS = Path(__file__).parent / "fixtures" / "templates"
EXPECTED: dict[str, Any] = yaml.safe_load((CORPUS / "expected.yaml").read_text())


def test_every_template_has_expectations() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_template_verdicts(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    code = main(["scan", str(CORPUS / name), "--out", str(tmp_path), "--now", "2026-11-21T09:00:00Z", "-q"])
    assert code == expected["exit"]
    findings = json.loads((tmp_path / "hipaa-scan-report.json").read_text())["findings"]
    for rule_id, by_resource in expected["verdicts"].items():
        for suffix, status in by_resource.items():
            mine = [f for f in findings if f["rule_id"] == rule_id and f["resource_id"].endswith(suffix)]
            assert len(mine) == 1, (
                f"{rule_id} on *{suffix}: {[f['resource_id'] for f in findings if f['rule_id'] == rule_id]}"
            )
            assert mine[0]["status"] == status, f"{rule_id} on *{suffix}: {mine[0]['status']} ({mine[0]['message']})"

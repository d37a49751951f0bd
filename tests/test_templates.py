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


def test_a_parameters_file_decides_and_is_evidence(tmp_path: Path) -> None:
    params = CORPUS / "parameters" / "vm-simple-linux.ssh.parameters.json"
    code = main(
        ["scan", str(CORPUS / "vm-simple-linux.json"), "--parameters", str(params), "--out", str(tmp_path), "-q"]
    )
    assert code == 1  # other VM rules fail
    report = json.loads((tmp_path / "hipaa-scan-report.json").read_text())
    vm09 = {f["resource_id"].rsplit("/", 1)[1]: f["status"] for f in report["findings"] if f["rule_id"] == "VM-09"}
    assert vm09 == {"simpleLinuxVM": "pass", "keyOnlyLinuxVM": "pass"}  # sshPublicKey from the parameters file
    formats = {i["path"]: i["format"] for i in report["manifest"]["inputs"]}
    assert formats[str(params)] == "arm-parameters"


def test_a_parameters_file_given_as_input_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = CORPUS / "parameters" / "vm-simple-linux.ssh.parameters.json"
    assert main(["scan", str(params), "--out", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pass it with --parameters" in err and str(params) in err

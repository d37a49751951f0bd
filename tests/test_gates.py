"""CI gates end to end on the sample tenant: which gate failed, and a
baseline that fails only what is new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE, weakened_sample

from hipaa_scan import cli
from hipaa_scan.reporting.json_report import read_findings

NOW = "2026-11-21T09:00:00Z"


def _scan(tmp_path: Path, *options: str, inputs: str = str(SAMPLE)) -> int:
    args = ["scan", inputs, "--out", str(tmp_path), "--now", NOW, "--format", "json,markdown"]
    return cli.main([*args, "--allowed-locations", "eastus,eastus2,centralus,westus2", *options])


def _gates(tmp_path: Path) -> dict[str, dict[str, object]]:
    report = json.loads((tmp_path / "hipaa-scan-report.json").read_text())
    return {g["gate"]: g for g in report["manifest"]["gates"]}


def test_no_gate_passes_everything(tmp_path: Path) -> None:
    assert _scan(tmp_path, "--fail-on", "never") == 0
    assert _gates(tmp_path) == {}


def test_score_gates_overall_and_per_safeguard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _scan(tmp_path, "--fail-on", "never", "--min-score", "50", "--min-score", "164.312=50") == 0
    assert all(g["passed"] for g in _gates(tmp_path).values())
    capsys.readouterr()
    assert _scan(tmp_path, "--fail-on", "never", "--min-score", "90", "--min-score", "164.314=1") == 1
    gates = _gates(tmp_path)
    overall = json.loads((tmp_path / "hipaa-scan-report.json").read_text())["checklist"]["overall"]["score"]
    assert gates["--min-score 90"] == {
        "gate": "--min-score 90",
        "passed": False,
        "detail": f"overall scored {overall:g}, below 90",
        "failing": 0,
        "examples": [],
    }
    # No automated rule scores 164.314: a score that does not exist never meets a minimum.
    assert gates["--min-score 164.314=1"]["detail"] == "164.314 has no score (n/a)"
    out = capsys.readouterr().out
    assert "--min-score 90" in out and "FAILED" in out and "below 90" in out
    summary = (tmp_path / "hipaa-scan-report.md").read_text()
    assert f"- `--min-score 90` **FAILED**: overall scored {overall:g}, below 90" in summary


def test_citation_gate_names_the_findings_that_broke_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _scan(tmp_path, "--fail-on", "never", "--gate", "164.312(b)") == 1
    gate = _gates(tmp_path)["--gate 164.312(b)"]
    report = json.loads((tmp_path / "hipaa-scan-report.json").read_text())
    citing = {r["rule_id"] for r in report["checklist"]["rules"] if "164.312(b)" in r["citations"]}
    failing = [f for f in read_findings(report) if f["status"] == "fail" and f["rule_id"] in citing]
    assert gate["failing"] == len(failing) > 0 and not gate["passed"]
    out = capsys.readouterr().out
    assert failing[0]["rule_id"] in out
    # the Markdown summary names the findings that broke the gate
    summary = (tmp_path / "hipaa-scan-report.md").read_text()
    assert f"  - {failing[0]['rule_id']} ` {failing[0]['resource_id']} `" in summary
    assert gate["examples"][0] == {"rule_id": failing[0]["rule_id"], "resource_id": failing[0]["resource_id"]}
    # A specification no rule evidences cannot pass a gate.
    assert _scan(tmp_path, "--fail-on", "never", "--gate", "164.310(a)(2)(iii)") == 1
    assert "no rule cites" in _gates(tmp_path)["--gate 164.310(a)(2)(iii)"]["detail"]


def test_a_baseline_fails_only_what_is_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accepted = tmp_path / "accepted"
    assert _scan(accepted, "--fail-on", "high") == 1  # the estate fails today...
    baseline = accepted / "hipaa-scan-report.json"
    # ...and the team accepts it: the same estate against its baseline is green,
    assert _scan(tmp_path / "same", "--fail-on", "low", "--baseline", str(baseline), "--fail-on-new") == 0
    # also when the baseline spells resource ids in another case (ARM ids are case-insensitive).
    shouted = json.loads(baseline.read_text())
    for resource in shouted["resources"]:
        resource["id"] = resource["id"].upper()
    upper = tmp_path / "upper.json"
    upper.write_text(json.dumps(shouted))
    assert _scan(tmp_path / "upper", "--fail-on", "low", "--baseline", str(upper), "--fail-on-new") == 0

    # A storage account that drops to TLS 1.0 is new, and only it fails the build.
    estate = weakened_sample(tmp_path)
    capsys.readouterr()
    code = _scan(tmp_path / "new", "--fail-on", "low", "--baseline", str(baseline), "--fail-on-new", inputs=str(estate))
    assert code == 1
    gate = _gates(tmp_path / "new")["--fail-on low"]
    assert gate["failing"] == 1 and "new since the baseline" in str(gate["detail"])
    out = capsys.readouterr().out
    assert (
        "--fail-on low failed on:\n  ST-02  /subscriptions/3c0b5a3e-8d4f-4b7a-9e21-6f1d2c8a9b10/resourceGroups/" in out
    )
    assert "storageAccounts/stcontosophidocs\n" in out


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (["--fail-on-new"], "--fail-on-new compares with a --baseline"),
        (["--min-score", "164.399=80"], "--min-score '164.399=80': the key is one of"),
        (["--min-score", "ninety"], "--min-score 'ninety': the score is a number from 0 to 100"),
        (["--gate", "HIPAA-1"], "--gate 'HIPAA-1': expected a Security Rule citation"),
        (["--baseline", "missing.json", "--fail-on-new"], "missing.json: cannot read file"),
    ],
)
def test_bad_gate_options_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], problem: str
) -> None:
    assert _scan(tmp_path / "out", *options) == 2
    err = capsys.readouterr().err
    assert problem in err.strip().splitlines()[-1]  # usage errors also show the usage line, as click does
    assert not (tmp_path / "out" / "hipaa-scan-report.json").exists()

"""The CLI end to end, through main(argv): exit codes, outputs, reproducibility."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import INPUTS, SAMPLE

from hipaa_scan import cli
from hipaa_scan.reporting.json_report import read_findings

SCHEMA = json.loads((Path(cli.__file__).parent / "schemas" / "report.schema.json").read_text())
NOW = "2026-11-21T09:00:00Z"


def scan(tmp_path: Path, *args: str) -> int:
    return cli.main(["scan", *args, "--out", str(tmp_path / "out"), "--now", NOW, "--quiet"])


def report(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "out" / "hipaa-scan-report.json").read_text())


def test_scan_sample_tenant_writes_valid_reports(tmp_path: Path) -> None:
    code = scan(tmp_path, str(SAMPLE), "--allowed-locations", "eastus,eastus2")
    assert code == 1  # the sample tenant has failing findings
    doc = report(tmp_path)
    jsonschema.validate(doc, SCHEMA)
    manifest = doc["manifest"]
    assert manifest["scanned_at"] == NOW
    assert manifest["collected_at"] == "2026-11-20T06:00:00Z"
    assert len(manifest["scope"]["subscriptions"]) == 2
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    statuses = {f["status"] for f in read_findings(doc)}
    assert {"pass", "fail"} <= statuses
    # every specification of 164.308-164.316 is in the checklist
    assert len(doc["checklist"]["items"]) == 66
    html = (tmp_path / "out" / "hipaa-scan-report.html").read_text()
    assert "Executive summary" in html and "Implementation checklist" in html


def test_same_input_and_clock_give_byte_identical_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert scan(tmp_path / "a", str(SAMPLE), "--format", "json") == 1
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763715600")  # 2025-11-21T09:00:00Z
    first = (tmp_path / "a" / "out" / "hipaa-scan-report.json").read_bytes()
    assert scan(tmp_path / "b", str(SAMPLE), "--format", "json") == 1
    assert first == (tmp_path / "b" / "out" / "hipaa-scan-report.json").read_bytes()
    # SOURCE_DATE_EPOCH fixes the clock when --now is not given
    code = cli.main(["scan", str(SAMPLE), "--format", "json", "--out", str(tmp_path / "c"), "--quiet"])
    assert code == 1
    assert (
        json.loads((tmp_path / "c" / "hipaa-scan-report.json").read_text())["manifest"]["scanned_at"]
        == "2025-11-21T09:00:00Z"
    )


def test_gate_severity_controls_the_exit_code(tmp_path: Path) -> None:
    # arm-page.json: SQL server with public network access enabled (high).
    assert scan(tmp_path, str(INPUTS / "arm-page.json"), "--fail-on", "critical") == 0
    assert scan(tmp_path, str(INPUTS / "arm-page.json"), "--fail-on", "high") == 1
    assert scan(tmp_path, str(INPUTS / "arm-page.json"), "--fail-on", "never") == 0
    assert report(tmp_path)["manifest"]["settings"]["fail_on"] is None


def test_unknown_is_never_pass_for_thin_exports(tmp_path: Path) -> None:
    # One finding fails: app-portal's row has no tags at all (ARM leaves the key out when a
    # resource has none), so it is not classified for the asset inventory (GOV-09).
    assert scan(tmp_path, str(INPUTS / "az-resource-list.json")) == 1
    doc = report(tmp_path)
    failing = [(f["rule_id"], f["resource_id"].rsplit("/", 1)[-1]) for f in read_findings(doc) if f["status"] == "fail"]
    assert failing == [("GOV-09", "app-portal")]
    vault_findings = [f for f in read_findings(doc) if f["resource_id"].endswith("/vaults/kv-cli")]
    assert vault_findings
    assert all(f["status"] == "unknown" for f in vault_findings)
    assert doc["checklist"]["overall"]["score"] == 0.0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not json at all", "not valid JSON"),
        (gzip.compress(b'{"value": []}' * 100)[:-20], "truncated gzip"),
        (b'{"foo": 1}', "unrecognised JSON shape"),
        (
            b'{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv", "type": "Microsoft.KeyVault/vaults", "properties": "x"}',
            "'properties' is a string",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, problem: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code = scan(tmp_path, str(INPUTS / "arm-page.json"), str(bad))
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith(f"hipaa-scan: error: {bad}: ")
    assert problem in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scan(tmp_path, str(INPUTS / "arm-page.json"), "--format", "docx") == 2
    assert "--format 'docx'" in capsys.readouterr().err
    assert cli.main(["scan", str(INPUTS / "arm-page.json"), "--now", "yesterday"]) == 2
    assert cli.main(["scan"]) == 2
    assert cli.main(["no-such-command"]) == 2


def test_existing_report_survives_a_failed_scan(tmp_path: Path) -> None:
    assert scan(tmp_path, str(INPUTS / "arm-page.json"), "--fail-on", "never") == 0
    before = (tmp_path / "out" / "hipaa-scan-report.json").read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert scan(tmp_path, str(bad)) == 2
    assert (tmp_path / "out" / "hipaa-scan-report.json").read_bytes() == before
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_rules_and_controls_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)["rules"]
    assert len(rules) >= 40
    assert len({r["rule_id"] for r in rules}) == len(rules)
    assert cli.main(["controls", "--format", "json"]) == 0
    controls = json.loads(capsys.readouterr().out)["controls"]
    assert len(controls) == 66
    by_citation = {c["citation"]: c for c in controls}
    assert by_citation["164.308(b)(1)"]["evidence"] == "attestation"
    assert "KV-02" in by_citation["164.312(a)(2)(iv)"]["rules"]
    assert cli.main(["rules"]) == 0
    assert "KV-02" in capsys.readouterr().out
    assert cli.main(["--version"]) == 0


def test_offline_scan_does_not_import_azure(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from hipaa_scan import cli; "
        f"rc = cli.main(['scan', {str(INPUTS / 'arm-page.json')!r}, '--out', {str(tmp_path)!r}, '--quiet', '--fail-on', 'never']); "
        "assert rc == 0, rc; "
        "leaked = sorted(m for m in sys.modules if m == 'azure' or m.startswith('azure.')); "
        "assert not leaked, leaked"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_output_format_is_rendered(tmp_path: Path) -> None:
    from hipaa_scan.reporting import OutputFormat

    everything = ",".join(f.value for f in OutputFormat)
    assert scan(tmp_path, str(INPUTS / "arm-page.json"), "--format", everything, "--fail-on", "never") == 0
    for fmt in OutputFormat:
        assert (tmp_path / "out" / fmt.filename).stat().st_size > 0

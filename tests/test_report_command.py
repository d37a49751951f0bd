"""`hipaa-scan report`: every format from an earlier scan's JSON report,
byte for byte what the scan itself wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE

from hipaa_scan import cli
from hipaa_scan.reporting import OutputFormat

NOW = "2026-11-21T09:00:00Z"
ALL = ",".join(f.value for f in OutputFormat)


def _scan(out: Path, *inputs: str) -> int:
    args = ["scan", *inputs, "--format", ALL, "--out", str(out), "--now", NOW, "--jobs", "1", "-q"]
    return cli.main([*args, "--allowed-locations", "eastus,eastus2", "--report-url", "https://ci.example/run/1"])


def test_every_format_re_rendered_from_the_json_report_is_identical(tmp_path: Path) -> None:
    assert _scan(tmp_path / "scan", str(SAMPLE)) == 1
    results = tmp_path / "scan" / "hipaa-scan-report.json"
    args = ["report", str(results), "--format", ALL, "--out", str(tmp_path / "again"), "-q"]
    assert cli.main([*args, "--report-url", "https://ci.example/run/1"]) == 0
    for fmt in OutputFormat:
        written = (tmp_path / "scan" / fmt.filename).read_bytes()
        assert written, fmt
        assert (tmp_path / "again" / fmt.filename).read_bytes() == written, fmt


def test_report_writes_beside_the_results_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _scan(tmp_path, str(SAMPLE)) == 1
    (tmp_path / "hipaa-scan-report.sarif").unlink()
    capsys.readouterr()
    assert cli.main(["report", str(tmp_path / "hipaa-scan-report.json"), "--format", "sarif"]) == 0
    out = capsys.readouterr().out
    assert "findings, overall score" in out and "hipaa-scan-report.sarif" in out
    assert json.loads((tmp_path / "hipaa-scan-report.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read file"),
        (b"{not json", "not valid JSON"),
        (b'{"kind": "hipaa-scan-snapshot", "resources": []}', "not a hipaa-scan JSON report"),
        (b'{"schema_version": "2.0", "manifest": {}, "checklist": {"rules": []}}', "malformed JSON report"),
    ],
)
def test_a_bad_results_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, problem: str
) -> None:
    results = tmp_path / "results.json"
    if content is not None:
        results.write_bytes(content)
    assert cli.main(["report", str(results), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(results) in err and problem in err
    assert not (tmp_path / "out").exists()


def test_sarif_places_template_resources_on_their_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths in the report are as the scan was given them: relative to where it ran.
    monkeypatch.chdir(FIXTURES.parent.parent)
    template = "tests/fixtures/templates/vm-simple-linux.json"
    assert _scan(tmp_path, template) in (0, 1)
    sarif = json.loads((tmp_path / "hipaa-scan-report.sarif").read_text())
    located = [
        loc["physicalLocation"]
        for result in sarif["runs"][0]["results"]
        for loc in result["locations"]
        if loc["physicalLocation"]["artifactLocation"]["uri"].endswith("vm-simple-linux.json")
    ]
    assert located and any(p["region"]["startLine"] > 1 for p in located)

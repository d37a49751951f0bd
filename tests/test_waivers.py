"""Waivers end to end on the sample tenant with a fixed clock: waived in
every format and never hidden, no gate failed by them, expired ones failing
again, stale ones listed, and bad files refused in one line."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SAMPLE

from hipaa_scan import cli
from hipaa_scan.reporting.json_report import read_findings

NOW = "2026-11-21T09:00:00Z"
BILLING = "/subscriptions/*/resourcegroups/rg-phi-apps/providers/microsoft.web/sites/app-contoso-billing-api"
ACTIVE = f"""
waivers:
  - id: W-001
    rule: APP-01
    resource: "{BILLING}"
    justification: Billing API is retired on 2027-01-15; HTTPS-only breaks a legacy partner until then.
    approver: Jane Doe (CISO)
    ticket: RISK-1042
    expires: "2027-01-31"
  - id: W-002
    rule: "*"
    tags: {{environment: research}}
    justification: De-identified research data, outside the PHI scope per the data classification policy.
    approver: Privacy Office
    ticket: RISK-1051
    expires: "2027-06-30"
  - id: W-003
    rule: KV-01
    resource: /subscriptions/*/vaults/kv-that-does-not-exist
    justification: An old exception for a vault that was deleted last quarter.
    approver: Jane Doe (CISO)
    ticket: RISK-0990
    expires: "2027-02-28"
  - id: W-004
    rule: APP-02
    resource: "{BILLING}"
    justification: Lapsed exception; the TLS upgrade was due last month.
    approver: Jane Doe (CISO)
    ticket: RISK-0871
    expires: "2026-10-31"
"""


def _scan(tmp_path: Path, waivers: str, *options: str) -> int:
    path = tmp_path / "waivers.yaml"
    path.write_text(waivers)
    args = ["scan", str(SAMPLE), "--out", str(tmp_path / "out"), "--now", NOW, "--waivers", str(path)]
    return cli.main([*args, "--format", "json,html,sarif,junit,markdown,csv", *options])


def test_waived_findings_in_every_format_and_no_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Without waivers the sample fails its high gate; the waivers do not cover every failure, so it still does.
    assert _scan(tmp_path, ACTIVE, "--fail-on", "high") == 1
    out = tmp_path / "out"
    report = json.loads((out / "hipaa-scan-report.json").read_text())
    findings = list(read_findings(report))
    waived = [f for f in findings if f["status"] == "waived"]
    billing = [f for f in waived if f["rule_id"] == "APP-01"]
    assert len(billing) == 1 and billing[0]["resource_id"].endswith("/app-contoso-billing-api")
    assert billing[0]["message"].startswith("waived by W-001 until 2027-01-31 (approved by Jane Doe (CISO), RISK-1042)")
    research = [f for f in waived if "/resourceGroups/rg-research" in f["resource_id"]]
    assert research and all("W-002" in f["message"] for f in research)
    # the lapsed waiver waives nothing: its finding fails again
    (app02,) = [
        f for f in findings if f["rule_id"] == "APP-02" and f["resource_id"].endswith("/app-contoso-billing-api")
    ]
    assert app02["status"] == "fail"
    states = {w["id"]: (w["state"], w["matched"]) for w in report["manifest"]["waivers"]}
    assert states == {
        "W-001": ("active", 1),
        "W-002": ("active", len(research)),
        "W-003": ("stale", 0),
        "W-004": ("expired", 1),
    }
    assert report["manifest"]["summary"]["findings"]["waived"] == len(waived)
    # never counted as compliant: the score does not improve
    assert all(f["status"] != "pass" for f in waived)
    # no gate is failed by a waived finding
    gate = report["manifest"]["gates"][0]
    assert gate["gate"] == "--fail-on high" and gate["failing"] == len(
        [f for f in findings if f["status"] == "fail" and _severity(report, f) in ("high", "critical")]
    )
    err_out = capsys.readouterr().out
    assert "waiver W-003 is stale" in err_out and "waiver W-004 is expired" in err_out

    sarif = json.loads((out / "hipaa-scan-report.sarif").read_text())
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == len(waived)
    assert (
        suppressed[0]["suppressions"][0]["status"] == "accepted"
        and "waived by" in suppressed[0]["suppressions"][0]["justification"]
    )

    junit = ET.fromstring((out / "hipaa-scan-report.junit.xml").read_bytes())  # noqa: S314 - our own report
    skipped = [
        c
        for c in junit.iter("testcase")
        if (s := c.find("skipped")) is not None and "waived by" in (s.get("message") or "")
    ]
    assert len(skipped) == len(waived)

    rows = list(csv.DictReader(io.StringIO((out / "hipaa-scan-report.csv").read_text("utf-8-sig"))))
    assert sum(r["status"] == "waived" for r in rows) == len(waived)

    assert "waived" in (out / "hipaa-scan-report.md").read_text()
    html = (out / "hipaa-scan-report.html").read_text()
    assert 'id="waivers"' in html and "RISK-1042" in html and "w-expired" in html


def _severity(report: dict, finding: dict) -> str:
    return next(r["severity"] for r in report["checklist"]["rules"] if r["rule_id"] == finding["rule_id"])


def test_a_waiver_covering_every_gated_failure_turns_the_build_green(tmp_path: Path) -> None:
    everything = """
waivers:
  - id: W-ALL
    rule: "*"
    resource: "*"
    justification: Day one of adoption; every finding is tracked in the remediation plan.
    approver: Jane Doe (CISO)
    ticket: RISK-2000
    expires: "2026-12-31"
"""
    assert _scan(tmp_path, everything, "--fail-on", "low") == 0


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            "justification: fine\n    approver: A\n    ticket: T\n    expires: '2027-01-01'",
            "waivers/0/justification (W-9): 'fine' is too short",
        ),
        (
            "justification: A long enough reason.\n    ticket: T\n    expires: '2027-01-01'",
            "'approver' is a required property",
        ),
        ("justification: A long enough reason.\n    approver: A\n    ticket: T", "'expires' is a required property"),
        (
            "justification: A long enough reason.\n    approver: A\n    ticket: T\n    expires: '2029-01-01'",
            "waivers/0 (W-9): expires 2029-01-01, more than 365 days away",
        ),
        (
            "justification: A long enough reason.\n    approver: A\n    ticket: T\n    expires: '2027-02-30'",
            "is not a date",
        ),
    ],
)
def test_a_bad_waiver_is_one_line_naming_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, problem: str
) -> None:
    text = f"waivers:\n  - id: W-9\n    rule: KV-01\n    resource: /subscriptions/*\n    {entry}\n"
    assert _scan(tmp_path, text) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "waivers.yaml" in err and problem in err
    assert not (tmp_path / "out").exists()


def test_the_maximum_expiry_is_configurable(tmp_path: Path) -> None:
    text = """
waivers:
  - id: W-1
    rule: KV-01
    resource: /subscriptions/*
    justification: A long enough reason.
    approver: A
    ticket: T
    expires: "2027-06-30"
"""
    assert _scan(tmp_path, text, "--fail-on", "never", "--waiver-max-days", "90") == 2
    assert _scan(tmp_path, text, "--fail-on", "never", "--waiver-max-days", "400") == 0

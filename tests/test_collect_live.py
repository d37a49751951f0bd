"""Live collection end to end: the real `hipaa-scan` CLI, the real azure-identity,
azure-core and azure-mgmt-resourcegraph clients, over HTTPS to the project's
Azure emulator on 127.0.0.1 (see emulator/)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emulator import AzureEmulator, load_tenant
from hipaa_scan.cli import main
from hipaa_scan.reporting.json_report import read_findings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "sample-tenant"
SNAPSHOT_SCHEMA = ROOT / "hipaa_scan" / "schemas" / "snapshot.schema.json"
NOW = "2026-11-21T09:00:00Z"
PROD = "3c0b5a3e-8d4f-4b7a-9e21-6f1d2c8a9b10"
SCAN_SETTINGS = ["--allowed-locations", "eastus,eastus2,centralus,westus2", "--now", NOW, "--fail-on", "never"]


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[AzureEmulator]:
    with AzureEmulator(load_tenant(SAMPLE), state_dir=tmp_path / "emulator") as running:
        yield running


@pytest.fixture
def live_env(emu: AzureEmulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)
    return emu.env()


def _snapshot(path: Path) -> dict[str, Any]:
    return json.loads(gzip.decompress(path.read_bytes()))


def _findings(report: Path) -> dict[tuple[str, str], dict[str, Any]]:
    document = json.loads(report.read_text())
    return {(f["rule_id"], f["resource_id"].lower()): f for f in read_findings(document)}


def test_collect_cli_gives_the_offline_verdicts_and_only_reads(
    emu: AzureEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "snap.json.gz"
    env = {**os.environ, **emu.env()}
    run = subprocess.run(
        [str(Path(sys.executable).parent / "hipaa-scan"), "collect", "--out", str(snapshot), "--now", NOW],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert emu.violations == [], "the collector sent a request that is neither a GET nor a query"
    document = _snapshot(snapshot)
    jsonschema.validate(document, json.loads(SNAPSHOT_SCHEMA.read_text()))
    assert document["manifest"]["gaps"] == []
    assert sorted(document["manifest"]["subscriptions"]) == sorted(s.id for s in emu.tenant.subscriptions)

    assert main(["scan", str(SAMPLE), "--out", str(tmp_path / "offline"), "-q", *SCAN_SETTINGS]) == 0
    assert main(["scan", str(snapshot), "--out", str(tmp_path / "live"), "-q", *SCAN_SETTINGS]) == 0
    offline = _findings(tmp_path / "offline" / "hipaa-scan-report.json")
    live = _findings(tmp_path / "live" / "hipaa-scan-report.json")
    assert set(offline) == set(live)
    for key, finding in offline.items():
        if finding["status"] != "unknown":
            assert live[key]["status"] == finding["status"], (key, finding["message"], live[key]["message"])
        else:
            # The export lacked data the collector reads: unknown may only turn into a verdict.
            assert live[key]["status"] in ("unknown", "pass", "fail", "not_applicable"), key
    became_known = [k for k, f in offline.items() if f["status"] == "unknown" and live[k]["status"] != "unknown"]
    assert became_known, "live collection should settle what the research export left unknown"


def test_scan_live_is_byte_identical_to_scanning_its_snapshot(
    live_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--live", "--out", "live", "-q", *SCAN_SETTINGS]) == 0
    assert main(["scan", "live/hipaa-scan-snapshot.json.gz", "--out", "offline", "-q", *SCAN_SETTINGS]) == 0
    assert (tmp_path / "live/hipaa-scan-report.json").read_bytes() == (
        tmp_path / "offline/hipaa-scan-report.json"
    ).read_bytes()
    # Same tenant, same clock: the same snapshot bytes.
    assert main(["collect", "--out", "again.json.gz", "--now", NOW, "-q"]) == 0
    assert (tmp_path / "again.json.gz").read_bytes() == (tmp_path / "live/hipaa-scan-snapshot.json.gz").read_bytes()


def test_planted_secrets_never_reach_the_snapshot(emu: AzureEmulator, live_env: dict[str, str], tmp_path: Path) -> None:
    rg = f"/subscriptions/{PROD}/resourceGroups/rg-secrets/providers"
    emu.add_resources(
        [
            {
                "id": f"{rg}/Microsoft.Web/sites/app-leaky",
                "name": "app-leaky",
                "type": "Microsoft.Web/sites",
                "location": "eastus",
                "tags": {"backup": "https://bk.blob.core.windows.net/c?sv=2022-11-02&sig=PLANTEDSIG0001"},
                "properties": {
                    "httpsOnly": True,
                    "siteConfig": {
                        "appSettings": [{"name": "DB_PASSWORD", "value": "PLANTED-PASSWORD-0002"}],
                        "connectionStrings": [
                            {"name": "db", "connectionString": "Server=db;Password=PLANTED-0003", "type": "SQLAzure"}
                        ],
                    },
                },
            },
            {
                "id": f"{rg}/Microsoft.Web/sites/app-leaky/config/web",
                "name": "web",
                "type": "Microsoft.Web/sites/config",
                "properties": {"minTlsVersion": "1.2", "publishingPassword": "PLANTED-PUBLISH-0004"},
            },
            {
                "id": f"{rg}/Microsoft.Storage/storageAccounts/leaky",
                "name": "leaky",
                "type": "Microsoft.Storage/storageAccounts",
                "location": "eastus",
                "properties": {
                    "supportsHttpsTrafficOnly": True,
                    "primaryKey": "PLANTED-KEY-0005",
                    "note": "DefaultEndpointsProtocol=https;AccountName=leaky;AccountKey=PLANTED-KEY-0006",
                },
            },
        ]
    )
    out = tmp_path / "snap.json"
    assert main(["collect", "--out", str(out), "--now", NOW, "-q"]) == 0
    text = out.read_text()
    assert "PLANTED" not in text
    assert json.loads(text)["manifest"]["redactions"] >= 6
    assert emu.violations == []


def test_a_forbidden_api_is_a_gap_its_rules_are_unknown_and_the_gate_can_fail(
    emu: AzureEmulator, live_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.knobs.forbidden_apis.add((PROD, "microsoft.security/pricings"))
    emu.knobs.missing_graph_permissions.add("conditionalAccessPolicies")
    code = main(["scan", "--live", "--out", str(tmp_path), "--fail-on", "never", "--fail-on-incomplete", "--now", NOW])
    assert code == 3
    document = json.loads((tmp_path / "hipaa-scan-report.json").read_text())
    gaps = {(g["scope"], g["api"]): g for g in document["manifest"]["coverage_gaps"]}
    assert gaps[(f"/subscriptions/{PROD}", "Microsoft.Security/pricings")]["status"] == 403
    assert any(api == "graph:conditionalAccessPolicies" for _, api in gaps)
    findings = _findings(tmp_path / "hipaa-scan-report.json")
    assert findings[("DEF-01", f"/subscriptions/{PROD}")]["status"] == "unknown"
    identity = [f for (rule, _), f in findings.items() if rule == "ID-01"]
    if identity:  # the identity rules ship with this change
        assert identity[0]["status"] == "unknown" and "Policy.Read.All" in identity[0]["message"]
    assert "Coverage gaps" in capsys.readouterr().out
    html = (tmp_path / "hipaa-scan-report.html").read_text()
    assert 'id="coverage"' in html and "graph:conditionalAccessPolicies" in html


def test_throttling_and_server_errors_are_retried_not_gaps(
    emu: AzureEmulator, live_env: dict[str, str], tmp_path: Path
) -> None:
    emu.knobs.throttle_every = 9
    emu.knobs.fail_5xx.update({"auditingSettings": 2, "policyAssignments": 1})
    out = tmp_path / "snap.json.gz"
    assert main(["collect", "--out", str(out), "--now", NOW, "-q", "--fail-on-incomplete"]) == 0
    statuses = [status for (_, _, _, status) in emu.requests]
    assert 429 in statuses and 503 in statuses
    assert _snapshot(out)["manifest"]["gaps"] == []


def test_wrong_credentials_give_one_line_and_exit_2(
    emu: AzureEmulator,
    live_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "not-the-secret")
    out = tmp_path / "snap.json.gz"
    assert main(["collect", "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hipaa-scan: error: authentication failed") and err.count("\n") == 1
    assert "not-the-secret" not in err
    assert not out.exists()


def test_verbose_logs_each_request_but_never_a_token(
    emu: AzureEmulator, live_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["collect", "--out", str(tmp_path / "s.json.gz"), "-q", "-v"]) == 0
    err = capsys.readouterr().err
    assert "POST /providers/Microsoft.ResourceGraph/resources 200" in err
    assert f"GET /subscriptions/{PROD}/providers/Microsoft.Security/pricings 200" in err
    assert "Bearer" not in err and "access_token" not in err and emu.client_secret not in err


def test_a_subscription_the_identity_cannot_see_is_a_gap(
    emu: AzureEmulator, live_env: dict[str, str], tmp_path: Path
) -> None:
    research = next(s.id for s in emu.tenant.subscriptions if s.id != PROD)
    emu.knobs.forbidden_subscriptions.add(research)
    out = tmp_path / "snap.json.gz"
    code = main(["collect", "--out", str(out), "-q", "--subscription", PROD, "--subscription", research])
    assert code == 0  # without --fail-on-incomplete the run finishes and records the gap
    manifest = _snapshot(out)["manifest"]
    assert manifest["subscriptions"] == [PROD]
    assert manifest["gaps"] == [
        {
            "scope": f"/subscriptions/{research}",
            "api": "Microsoft.Resources/subscriptions",
            "status": 403,
            "message": "subscription is not visible to this identity (no role assignment, or another tenant)",
        }
    ]


def test_the_pipeline_refuses_writes_before_they_leave_the_machine(
    emu: AzureEmulator, live_env: dict[str, str]
) -> None:
    from azure.core.rest import HttpRequest

    from hipaa_scan.collector.clouds import resolve_cloud
    from hipaa_scan.collector.credentials import make_credential
    from hipaa_scan.collector.http import ReadOnlyViolationError, RequestStats, pipeline_client, transport

    cloud = resolve_cloud(
        "AzureCloud", arm_endpoint=emu.arm_url, authority_host=emu.login_url, graph_endpoint=emu.graph_url
    )
    client = pipeline_client(
        cloud.arm_endpoint, make_credential(cloud), cloud.arm_scope, RequestStats(), transport(2), arm=True
    )
    account = f"/subscriptions/{PROD}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/listKeys"
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        with pytest.raises(ReadOnlyViolationError, match=f"refused {method}"):
            client.send_request(HttpRequest(method, client.format_url(account + "?api-version=2023-05-01")))
    assert emu.violations == [] and not any(path.startswith(account) for (_, _, path, _) in emu.requests)

"""SARIF 2.1.0 for GitHub code scanning, from the real sample-tenant scan:
valid against the official schema, every rule listed with its citations,
results only for what is not compliant and each on a resource and a file,
alerts that keep their identity from run to run, the same bytes from the
scan and from its JSON report, GitHub's result limit, and template lines."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FIXTURES, SAMPLE

from hipaa_scan.commands import ScanOutcome, scan
from hipaa_scan.engine import Settings
from hipaa_scan.model import Severity
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.sarif import MAX_RESULTS, artifact_location, find_lines, render_sarif
from hipaa_scan.reporting.view import ReportView

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
# The OASIS schema (errata01), copied from the SARIF TC's repository so a
# clean clone validates offline.
SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
# GitHub's security-severity bands: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
BANDS = {"critical": (9.1, 10.0), "high": (7.0, 8.9), "medium": (4.0, 6.9), "low": (0.1, 3.9)}
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> ScanOutcome:
    return scan(
        [str(SAMPLE)],
        formats=[OutputFormat.JSON, OutputFormat.SARIF],
        out_dir=tmp_path_factory.mktemp("sarif"),
        settings=Settings(frozenset({"eastus", "eastus2"})),
        now=NOW,
        fail_on=None,
        jobs=1,
    )


@pytest.fixture(scope="module")
def view(outcome: ScanOutcome) -> ReportView:
    return ReportView.from_document(outcome.document)


@pytest.fixture(scope="module")
def run(view: ReportView) -> dict[str, Any]:
    log = json.loads(render_sarif(view))
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def validate(document: bytes) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(document)
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    validator.validate(log)
    return log


def test_the_schema_is_the_official_draft_4_one() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert SCHEMA["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(SCHEMA)


def test_the_sarif_of_the_sample_is_valid(view: ReportView) -> None:
    log = validate(render_sarif(view))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "hipaa-scan" and driver["version"] == view.manifest["tool"]["version"]
    assert driver["semanticVersion"] == driver["version"]


def test_every_rule_of_the_pack_is_listed_with_its_citations(view: ReportView, run: dict[str, Any]) -> None:
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(view.rules) and len(ids) == view.manifest["rule_pack"]["rules"]
    fired = {r["ruleId"] for r in run["results"]}
    assert set(ids) - fired, "rules without results are listed too"
    urls = {i["citation"]: i["url"] for i in view.checklist["items"]}
    for rule in rules:
        meta = view.rules[rule["id"]]
        properties = rule["properties"]
        assert rule["shortDescription"]["text"] == meta["title"]
        assert rule["fullDescription"]["text"] == meta["rationale"]
        assert rule["name"] and len(rule["name"]) <= 255
        assert {"security", "hipaa"} <= set(properties["tags"]) and len(properties["tags"]) <= 10
        assert properties["citations"] == meta["citations"]
        for citation in meta["citations"]:
            assert f"HIPAA-{citation}" in properties["tags"]
            assert f"]({urls[citation]})" in rule["help"]["markdown"]
            assert citation in rule["help"]["text"]
        assert meta["remediation"] in rule["help"]["text"]
        low, high = BANDS[meta["severity"]]
        assert low <= float(properties["security-severity"]) <= high
        assert rule["defaultConfiguration"]["level"] == LEVELS[meta["severity"]]
        assert properties["precision"] in ("very-high", "high", "medium", "low")


def test_a_remediation_keeps_its_placeholders_in_markdown(run: dict[str, Any]) -> None:
    # "<app>" would be dropped as an HTML tag if it were not escaped.
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "APP-01")
    assert "\\<app\\>" in rule["help"]["markdown"] and "<app>" in rule["help"]["text"]


def test_results_are_what_is_not_compliant_each_on_its_rule_resource_and_file(
    view: ReportView, run: dict[str, Any]
) -> None:
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    expected = [f for f in view.findings if f["status"] in ("fail", "unknown", "error")]
    assert len(results) == len(expected)
    assert {r["properties"]["status"] for r in results} == {"fail", "unknown"}  # the sample has no error
    inputs = [a["location"]["uri"] for a in run["artifacts"]]
    for result, finding in zip(results, expected, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["rule_id"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        assert inputs[physical["artifactLocation"]["index"]] == physical["artifactLocation"]["uri"]
        source = view.sources.get(finding["resource_id"], "(none)")
        if not source.startswith("("):
            assert physical["artifactLocation"]["uri"] == artifact_location(source)["uri"]
        (logical,) = location["logicalLocations"]
        assert logical == {
            "name": finding["resource_id"].rsplit("/", 1)[-1],
            "fullyQualifiedName": finding["resource_id"],
            "kind": "resource",
        }
        text = result["message"]["text"]
        for part in (finding["rule_id"], finding["resource_id"], finding["path"], finding["expected"]):
            assert part in text
        assert finding["message"].rstrip(".") in text
        assert result["properties"]["observed"] == json.dumps(
            finding["observed"], separators=(",", ":"), ensure_ascii=False
        )
        severity = view.rules[finding["rule_id"]]["severity"]
        if finding["status"] == "fail":
            assert (result["kind"], result["level"]) == ("fail", LEVELS[severity])
        else:
            # SARIF 3.27.10: any kind but "fail" has level "none".
            assert (result["kind"], result["level"]) == ("open", "none")
            assert "never counted as compliant" in text


def test_an_error_is_for_review_and_a_coverage_gap_is_a_notification(view: ReportView) -> None:
    finding = next(f for f in view.findings if f["status"] == "fail")
    gap = {
        "scope": "/subscriptions/s",
        "api": "Microsoft.Authorization/policyAssignments",
        "status": 403,
        "message": "Forbidden",
    }
    broken = ReportView(
        {**view.manifest, "coverage_gaps": [gap]},
        view.checklist,
        [{**finding, "status": "error", "message": "rule raised KeyError"}],
        view.sources,
    )
    run = validate(render_sarif(broken))["runs"][0]
    (result,) = run["results"]
    assert (result["kind"], result["level"], result["properties"]["status"]) == ("review", "none", "error")
    assert "raised an error" in result["message"]["text"] and "rule raised KeyError." in result["message"]["text"]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert "policyAssignments" in notification["message"]["text"] and notification["level"] == "warning"


def test_derived_resources_are_placed_on_an_input_file(view: ReportView, run: dict[str, Any]) -> None:
    derived = {rid for rid, source in view.sources.items() if source.startswith("(")}
    placed = [r for r in run["results"] if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] in derived]
    assert placed, "the sample has subscriptions derived from resource ids"
    first = run["artifacts"][0]["location"]["uri"]
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == first for r in placed)


def test_artifacts_are_the_inputs_with_their_digests(view: ReportView, run: dict[str, Any]) -> None:
    inputs = view.manifest["inputs"]
    assert [a["hashes"] for a in run["artifacts"]] == [{"sha-256": i["sha256"]} for i in inputs]
    assert [a["length"] for a in run["artifacts"]] == [i["bytes"] for i in inputs]
    assert [a["location"]["uri"] for a in run["artifacts"]] == [Path(i["path"]).as_uri() for i in inputs]


def test_the_run_names_its_category_and_scan_time(run: dict[str, Any]) -> None:
    assert run["automationDetails"]["id"] == "hipaa-scan/2026-11-21T09:00:00Z"
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True and invocation["startTimeUtc"] == "2026-11-21T09:00:00Z"
    assert run["properties"]["resultsLeftOut"] == 0 and run["properties"]["resultLimit"] == MAX_RESULTS


def test_the_run_carries_the_architecture_checklist_beside_the_results(view: ReportView, run: dict[str, Any]) -> None:
    # Results are per rule and resource; the checklist is not, so it is in the
    # property bag, as the JSON report states it. Without --profile,
    # --attestations or a PHI scope, those keys are null and no result is flagged.
    properties = run["properties"]
    architecture = properties["hipaaScan/architecture"]
    assert architecture == json.loads(json.dumps(view.architecture))
    assert [i["id"] for i in architecture["items"]] == [f"RA-{n:02d}" for n in range(1, 22)]
    assert properties["hipaaScan/profile"]["id"] == "hipaa"
    for key in ("hipaaScan/readiness", "hipaaScan/phiWeighted", "hipaaScan/attestations"):
        assert properties[key] is None, key
    assert not any("phi" in r["properties"] for r in run["results"])


def test_fingerprints_are_stable_and_tell_findings_apart(view: ReportView, run: dict[str, Any]) -> None:
    again = json.loads(render_sarif(view))["runs"][0]["results"]
    prints = [r["partialFingerprints"] for r in run["results"]]
    assert prints == [r["partialFingerprints"] for r in again]
    for key in ("primaryLocationLineHash", "ruleResource/v1"):
        values = [p[key] for p in prints]
        assert len(set(values)) == len(values), f"{key} differs between findings"
    # The identity is the rule and the resource, however the id is spelt.
    finding = next(f for f in view.findings if f["status"] == "fail")
    respelt = ReportView(
        view.manifest, view.checklist, [{**finding, "resource_id": finding["resource_id"].upper()}], view.sources
    )
    (result,) = json.loads(render_sarif(respelt))["runs"][0]["results"]
    assert result["partialFingerprints"] == prints[0]


def test_the_same_view_gives_the_same_bytes_from_the_scan_and_from_its_report(
    outcome: ScanOutcome, view: ReportView
) -> None:
    first = render_sarif(view)
    assert render_sarif(view) == first and first.endswith(b"}\n")
    json_report, sarif_file = outcome.reports
    read = ReportView.from_report(json.loads(json_report.read_text()), str(json_report))
    assert render_sarif(read) == first
    assert sarif_file.read_bytes() == first, "what the scan wrote"


def _many(view: ReportView, count: int) -> list[dict[str, Any]]:
    """``count`` failing findings on distinct resources, spread over the
    sample's failing rules, plus the sample's unknown ones, in report order."""
    fails = [f for f in view.findings if f["status"] == "fail"]
    many = [
        {**fails[n % len(fails)], "resource_id": f"{fails[n % len(fails)]['resource_id']}-{n:05d}"}
        for n in range(count)
    ]
    many += [dict(f) for f in view.findings if f["status"] == "unknown"]
    return sorted(many, key=lambda f: (f["rule_id"], f["resource_id"].lower()))


def test_at_most_25000_results_the_most_severe_kept(view: ReportView) -> None:
    findings = _many(view, 26_000)
    big = ReportView(view.manifest, view.checklist, findings, view.sources)
    document = render_sarif(big)
    assert len(gzip.compress(document)) < 10_000_000, "GitHub's upload limit"
    run = validate(document)["runs"][0]
    results = run["results"]
    assert len(results) == MAX_RESULTS
    assert run["properties"]["resultsLeftOut"] == len(findings) - MAX_RESULTS
    rank = {rule_id: Severity(r["severity"]).rank for rule_id, r in view.rules.items()}
    kept = Counter((r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in results)
    assert max(kept.values()) == 1
    left_out = [f for f in findings if (f["rule_id"], f["resource_id"]) not in kept]
    assert len(left_out) == len(findings) - MAX_RESULTS
    assert min(rank[r["ruleId"]] for r in results) >= max(rank[f["rule_id"]] for f in left_out)
    # At the severity where the cut falls, confirmed failures go before unknowns.
    cut = max(rank[f["rule_id"]] for f in left_out)
    if any(f["status"] == "fail" for f in left_out if rank[f["rule_id"]] == cut):
        assert all(r["kind"] == "fail" for r in results if rank[r["ruleId"]] == cut)
    # Kept results stay in the report's order.
    order = [(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].lower()) for r in results]
    assert order == sorted(order)


def test_lines_place_a_resource_on_its_line(view: ReportView) -> None:
    finding = next(f for f in view.findings if f["status"] == "fail")
    results = json.loads(render_sarif(view, lines={finding["resource_id"]: 42}))["runs"][0]["results"]
    lines = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in results
        if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == finding["resource_id"]
    }
    assert lines == {42}
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results} == {1, 42}


def test_relative_inputs_are_relative_to_the_source_root(view: ReportView) -> None:
    root = str(SAMPLE.parent.parent.parent) + "/"
    inputs = [{**i, "path": i["path"].removeprefix(root)} for i in view.manifest["inputs"]]
    sources = {rid: source.removeprefix(root) for rid, source in view.sources.items()}
    relative = ReportView({**view.manifest, "inputs": inputs}, view.checklist, view.findings, sources)
    run = validate(render_sarif(relative))["runs"][0]
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uri"].startswith("tests/fixtures/sample-tenant/") and location["uriBaseId"] == "%SRCROOT%"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("tests/fixtures/a b.json", {"uri": "tests/fixtures/a%20b.json", "uriBaseId": "%SRCROOT%"}),
        ("./infra/main.json", {"uri": "infra/main.json", "uriBaseId": "%SRCROOT%"}),
        ("infra\\main.json", {"uri": "infra/main.json", "uriBaseId": "%SRCROOT%"}),
        ("/github/workspace/out/snap.json.gz", {"uri": "file:///github/workspace/out/snap.json.gz"}),
        ("C:\\repo\\main.json", {"uri": "file:///C:/repo/main.json"}),
    ],
)
def test_artifact_locations(path: str, location: dict[str, str]) -> None:
    assert artifact_location(path) == location


TEMPLATE = """{
  "resources": [
    {
      "type": "Microsoft.Sql/servers",
      "name": "sql-phi",
      "sku": {"name": "Standard"},
      "resources": [
        {"type": "firewallRules", "name" :   "AllowAll"}
      ]
    },
    {
      "type": "Microsoft.Sql/servers/databases",
      "name": "SQL-PHI/db-claims"
    },
    {
      "type": "Microsoft.Network/networkSecurityGroups",
      "name": "[parameters('nsgName')]"
    },
    {
      "type": "Microsoft.Network/networkSecurityGroups/securityRules",
      "name": "[format('{0}/{1}', parameters('nsgName'), 'allow-rdp')]"
    },
    {"type": "Microsoft.Storage/storageAccounts", "name": "st\\u0070hi"}
  ]
}
"""


def test_find_lines_in_a_template() -> None:
    servers = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers"
    nsgs = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups"
    names = {
        f"{servers}/sql-phi": "sql-phi",
        f"{servers}/sql-phi/firewallRules/AllowAll": "AllowAll",  # nested, whitespace around the colon
        f"{servers}/sql-phi/databases/db-claims": "db-claims",  # "parent/child", other case
        f"{servers}/sql-phi/databases/db-claims-full": "sql-phi/db-claims",  # the full form
        f"{nsgs}/{{nsgName}}": "{nsgName}",  # a parameter without a default
        f"{nsgs}/{{nsgName}}/securityRules/allow-rdp": "allow-rdp",  # a literal inside an expression
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stphi": "stphi",
        f"{servers}/missing": "missing",
        f"{servers}/Standard": "Standard",  # an unlucky sku name wins: a best effort
    }
    assert find_lines(TEMPLATE, names) == {
        f"{servers}/sql-phi": 5,
        f"{servers}/sql-phi/firewallRules/AllowAll": 8,
        f"{servers}/sql-phi/databases/db-claims": 13,
        f"{servers}/sql-phi/databases/db-claims-full": 13,
        f"{nsgs}/{{nsgName}}": 17,
        f"{nsgs}/{{nsgName}}/securityRules/allow-rdp": 21,
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stphi": 23,
        f"{servers}/Standard": 6,
    }
    assert find_lines("", names) == {}
    assert find_lines('{"name": "sql-phi"}', {"a": "sql-phi"}) == {"a": 1}


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_find_lines_in_the_template_fixtures() -> None:
    nsg = FIXTURES / "templates" / "nsg-standalone-rules.json"
    found = find_lines(
        nsg.read_text(),
        {"web": "{nsgName}", "data": "{dataNsgName}", "rdp": "allow-rdp-anywhere", "sql": "allow-sql-from-vnet"},
    )
    assert found == {
        "web": _line_of(nsg, "\"[parameters('nsgName')]\""),
        "data": _line_of(nsg, "\"[parameters('dataNsgName')]\""),
        "rdp": _line_of(nsg, "'allow-rdp-anywhere'"),
        "sql": _line_of(nsg, "'/allow-sql-from-vnet'"),
    }
    defaults = FIXTURES / "templates" / "desired-state-defaults.json"
    found = find_lines(defaults.read_text(), {"legacy": "stphilegacyapi", "current": "stphicurrentapi", "no": "nope"})
    assert found == {
        "legacy": _line_of(defaults, '"name": "stphilegacyapi"'),
        "current": _line_of(defaults, '"name": "stphicurrentapi"'),
    }
    # A name from a parameter's default, as quickstart templates write it.
    vm = FIXTURES / "templates" / "vm-simple-linux.json"
    assert find_lines(vm.read_text(), {"default": "simpleLinuxVM", "literal": "keyOnlyLinuxVM"}) == {
        "default": _line_of(vm, '"name": "[parameters(\'vmName\')]"'),
        "literal": _line_of(vm, '"name": "keyOnlyLinuxVM"'),
    }
    app = FIXTURES / "templates" / "web-app-site-config.json"
    assert find_lines(app.read_text(), {"app": "APP-PHI-PORTAL"}) == {"app": _line_of(app, "[parameters('appName')]")}

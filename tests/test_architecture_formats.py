"""The reference architecture's checklist, the readiness view, the PHI-weighted
score and the attestations in every format, from the sample tenant scanned
with the example policy (a PHI scope), the example attestations and the
proposed-rule profile: each format shows each item with the report's status,
from the scan and from its JSON report alike, and JUnit and SARIF stay valid.
The CSV is the findings table, unchanged."""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from conftest import FIXTURES, SAMPLE
from rich.console import Console

from hipaa_scan.commands import ScanOutcome, report, scan
from hipaa_scan.policy import load_policy
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.csv_report import render_csv
from hipaa_scan.reporting.junit import render_junit
from hipaa_scan.reporting.markdown import render_markdown
from hipaa_scan.reporting.sarif import render_sarif
from hipaa_scan.reporting.terminal import summary_renderable
from hipaa_scan.reporting.view import ReportView

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
PROFILE = "hipaa-nprm-2025"
DERIVED = [f for f in OutputFormat if f.derived]
RENDERERS: dict[OutputFormat, Callable[[ReportView], bytes]] = {
    OutputFormat.SARIF: render_sarif,
    OutputFormat.JUNIT: render_junit,
    OutputFormat.MARKDOWN: render_markdown,
    OutputFormat.CSV: render_csv,
}
SARIF_SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
# The CSV's columns, spelled out: consumers read them by name and by position.
CSV_COLUMNS = [
    "rule_id",
    "severity",
    "title",
    "citations",
    "status",
    "resource_id",
    "resource_type",
    "subscription_id",
    "path",
    "observed",
    "expected",
    "message",
    "source",
]
# How JUnit shows each checklist status: (child element, its type) or None for a pass.
JUNIT_OUTCOMES: dict[str, tuple[str, str | None] | None] = {
    "met": None,
    "no_resources_in_scope": None,
    "not_applicable": None,
    "not_met": ("failure", "not_met"),
    "partially_met": ("failure", "partially_met"),
    "not_assessed": ("error", "not_assessed"),
    "needs_attestation": ("skipped", None),
}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> ScanOutcome:
    policy = load_policy(EXAMPLES / "hipaa-scan.toml")
    return scan(
        [str(SAMPLE)],
        formats=[OutputFormat.JSON, *DERIVED],
        out_dir=tmp_path_factory.mktemp("architecture"),
        settings=policy.settings(),
        now=NOW,
        fail_on=None,
        jobs=1,
        policy=policy,
        attestations_file=EXAMPLES / "attestations.yaml",
        profile=PROFILE,
    )


@pytest.fixture(scope="module")
def document(outcome: ScanOutcome) -> dict[str, Any]:
    return outcome.document


@pytest.fixture(scope="module")
def view(outcome: ScanOutcome) -> ReportView:
    return ReportView.from_document(outcome.document)


@pytest.fixture(scope="module")
def report_json(outcome: ScanOutcome) -> dict[str, Any]:
    path = next(p for p in outcome.reports if p.name == OutputFormat.JSON.filename)
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def read_back(outcome: ScanOutcome, report_json: dict[str, Any]) -> ReportView:
    return ReportView.from_report(report_json, "hipaa-scan-report.json")


def _json(value: Any) -> Any:
    """``value`` as the JSON report states it."""
    return orjson.loads(orjson.dumps(value))


def _items(view: ReportView, section: str) -> list[Mapping[str, Any]]:
    found: Mapping[str, Any] | None = getattr(view, section)
    assert found is not None
    return list(found["items"])


# -- the sample and the view ----------------------------------------------------------


def test_the_sample_covers_every_kind_of_outcome(view: ReportView) -> None:
    architecture = {i["id"]: i for i in _items(view, "architecture")}
    assert list(architecture) == [f"RA-{n:02d}" for n in range(1, 22)]
    # The example attests the BAA, which nothing in Azure shows.
    assert architecture["RA-01"]["evidence"] == "attestation"
    assert architecture["RA-01"]["automated_status"] == "needs_attestation"
    assert architecture["RA-01"]["status"] == "met"
    assert architecture["RA-01"]["attestation"]["state"] == "valid"
    statuses = {i["status"] for i in [*architecture.values(), *_items(view, "readiness")]}
    assert {"met", "partially_met", "not_met", "not_assessed", "needs_attestation"} <= statuses
    assert view.readiness is not None and view.readiness["profile"] == PROFILE
    assert view.phi_weighted is not None and view.phi_resources
    assert "expired" in view.attestations.attested.values()


def test_the_view_is_the_same_from_the_scan_and_from_its_report(view: ReportView, read_back: ReportView) -> None:
    assert _json(view.architecture) == read_back.architecture
    assert _json(view.readiness) == read_back.readiness
    assert _json(view.phi_weighted) == read_back.phi_weighted
    assert view.phi_resources == read_back.phi_resources
    assert view.attestations == read_back.attestations


def test_the_view_flags_the_resources_the_json_report_flags(view: ReportView, report_json: dict[str, Any]) -> None:
    flagged = {r["id"].lower() for r in report_json["resources"] if r.get("phi")}
    assert flagged and view.phi_resources == flagged


def test_a_report_without_the_sections_still_renders(report_json: dict[str, Any]) -> None:
    # A schema-2 report written before the sections existed.
    older = {k: v for k, v in report_json.items() if k not in ("architecture", "readiness")}
    view = ReportView.from_report(older, "older.json")
    assert view.architecture is None and view.readiness is None
    text = render_markdown(view).decode()
    assert "## Reference architecture checklist" not in text and "## Proposed rule readiness" not in text
    root = ET.fromstring(render_junit(view))  # noqa: S314 (our own output)
    assert not [s for s in root if s.get("name", "").startswith(("reference-architecture", "readiness-"))]
    properties = json.loads(render_sarif(view))["runs"][0]["properties"]
    assert properties["hipaaScan/architecture"] is None and properties["hipaaScan/readiness"] is None


@pytest.mark.parametrize("fmt", DERIVED, ids=str)
def test_each_format_is_the_same_bytes_from_the_scan_its_report_and_a_re_render(
    fmt: OutputFormat, outcome: ScanOutcome, view: ReportView, read_back: ReportView, tmp_path: Path
) -> None:
    render = RENDERERS[fmt]
    written = next(p for p in outcome.reports if p.name == fmt.filename).read_bytes()
    assert render(view) == written
    assert render(read_back) == written
    results = next(p for p in outcome.reports if p.name == OutputFormat.JSON.filename)
    again = report(results, formats=[fmt], out_dir=tmp_path)
    assert again.reports[0].read_bytes() == written


# -- Markdown -------------------------------------------------------------------------


def _section(markdown: str, heading: str) -> str:
    return markdown.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def _rows(section: str) -> list[list[str]]:
    """A table's body rows, as GitHub splits them: at every pipe not escaped."""
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]


def _label(status: str) -> str:
    label = status.replace("_", " ").capitalize()
    return f"**{label}**" if status == "not_met" else label


def test_markdown_has_the_architecture_checklist_with_each_items_status(view: ReportView) -> None:
    text = render_markdown(view).decode()
    items = _items(view, "architecture")
    section = _section(text, "## Reference architecture checklist")
    counts = Counter(i["status"] for i in items)
    assert f"{len(items)} items: {counts['met']} met, {counts['partially_met']} partially met" in section
    rows = _rows(section)
    assert len(rows) == len(items)
    for row, item in zip(rows, items, strict=True):
        assert len(row) == 6
        assert row[0] == f"{item['id']} {item['title']}".replace("|", "\\|")
        assert row[2] == _label(item["status"])
        failing = [" or ".join(g["rules"]) for g in item["required"] if g["status"] == "fail"]
        assert row[3] == (", ".join(failing) or "–")
        for group in item["required"]:
            if group["status"] in ("unknown", "not_implemented"):
                assert " or ".join(group["rules"]) in row[4]
        record = item["attestation"]
        if record:
            assert record["owner"] in row[5] and (record["expires"] or "") in row[5]
        elif item["status"] == "needs_attestation":
            assert row[5] == "none"
    ra01 = next(row for row in rows if row[0].startswith("RA-01 "))
    assert ra01[1:3] == ["attestation", "Met"]


def test_markdown_has_the_readiness_view(view: ReportView) -> None:
    text = render_markdown(view).decode()
    assert view.readiness is not None
    section = _section(text, "## Proposed rule readiness")
    assert view.readiness["title"] in section and f"` {PROFILE} `" in section
    assert view.readiness["note"] in section
    rows = _rows(section)
    items = _items(view, "readiness")
    assert [row[0] for row in rows] == [f"{i['id']} {i['title']}" for i in items]
    assert [row[1] for row in rows] == [_label(i["status"]) for i in items]
    assert all(len(row) == 4 for row in rows)


def test_markdown_puts_the_phi_weighted_score_beside_each_score(view: ReportView) -> None:
    text = render_markdown(view).decode()
    weighted = view.phi_weighted
    assert weighted is not None
    head = text.split("\n## ", 1)[0]
    assert "| Safeguard | Score | PHI-weighted | Pass |" in head
    overall = next(line for line in head.splitlines() if line.startswith("| **Overall** |"))
    assert overall.startswith(
        f"| **Overall** | {view.checklist['overall']['score']:.1f}% | {weighted['overall']['score']:.1f}% |"
    )
    failing = sum(1 for f in view.findings if f["status"] == "fail" and f["resource_id"].lower() in view.phi_resources)
    assert (
        f"**PHI-weighted score:** {weighted['overall']['score']:.1f}% overall. Findings on resources in the PHI "
        f"scope ({len(view.phi_resources)} of the resources with findings) weigh {weighted['weight']:g}×; "
        f"{failing} of those findings fail. Gates judge the unweighted score." in head
    )


def test_markdown_counts_attestations_and_names_the_expired(view: ReportView) -> None:
    text = render_markdown(view).decode()
    summary = view.attestations
    assert summary.file is not None
    expired = summary.in_state("expired")
    line = next(line for line in text.splitlines() if line.startswith("**Attestations:**"))
    assert f"{summary.file['entries']} entries in ` {summary.file['path']} `" in line
    assert f"{summary.states['valid']} valid, {len(expired)} expired ({', '.join(expired)})" in line
    needed = summary.needed
    nouns = {
        "specifications": "specification",
        "architecture": "architecture item",
        "readiness": "readiness requirement",
    }
    still = ", ".join(f"{needed[k]} {noun}{'s' if needed[k] != 1 else ''}" for k, noun in nouns.items())
    assert line.endswith(f"Still to attest: {still}.")


def test_markdown_keeps_its_checklists_at_any_size_and_shrinks_them_only_under_a_tiny_limit(
    view: ReportView,
) -> None:
    rules = list(view.rules)
    findings = [
        {
            **view.findings[0],
            "rule_id": rules[n % len(rules)],
            "resource_id": f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st{n:06d}",
            "status": "fail",
        }
        for n in range(50_000)
    ]
    big = dataclasses.replace(view, findings=findings, sources={})
    text = render_markdown(big)
    assert len(text) <= 65_000
    assert len(_rows(_section(text.decode(), "## Reference architecture checklist"))) == 21
    assert b"left out to keep this summary under 65,000 bytes" in text

    small = render_markdown(big, limit=6_000).decode()
    assert len(small.encode()) <= 6_000
    for heading in ("## Reference architecture checklist", "## Proposed rule readiness", "## Top failures"):
        assert heading in small
    assert "21 items: " in small and "The full report lists them." in small
    assert not _rows(_section(small, "## Reference architecture checklist"))


def test_hostile_attestation_text_cannot_break_the_markdown_tables(view: ReportView) -> None:
    architecture = copy.deepcopy(dict(view.architecture or {}))
    item = architecture["items"][0]
    item["attestation"] = {
        "status": "met",
        "state": "valid",
        "owner": "Eve | forged | row |\n| x | <script>alert(1)</script> `@admin` [x](http://evil)",
        "date": "2026-01-01",
        "expires": "2027-01-01|x",
        "evidence": [],
        "notes": "",
    }
    item["title"] = "BAA | forged"
    text = render_markdown(dataclasses.replace(view, architecture=architecture)).decode()
    rows = _rows(_section(text, "## Reference architecture checklist"))
    assert {len(row) for row in rows} == {6}
    assert "<script>" not in text and "\\<script\\>" in rows[0][5]
    assert not any(line.startswith("| x |") for line in text.splitlines())


# -- JUnit ----------------------------------------------------------------------------


def _suite(root: ET.Element, name: str) -> ET.Element:
    return next(s for s in root if s.get("name") == name)


@pytest.mark.parametrize(("section", "suite_name"), [("architecture", "reference-architecture"), ("readiness", None)])
def test_junit_has_a_suite_per_checklist_with_a_test_case_per_item(
    view: ReportView, section: str, suite_name: str | None
) -> None:
    root = ET.fromstring(render_junit(view))  # noqa: S314 (our own output)
    name = suite_name or f"readiness-{PROFILE}"
    suite = _suite(root, name)
    items = _items(view, section)
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [f"{i['id']} {i['title']}" for i in items]
    assert {c.get("classname") for c in cases} == {name}
    tags: Counter[str] = Counter()
    for case, item in zip(cases, items, strict=True):
        expected = JUNIT_OUTCOMES[item["status"]]
        children = list(case)
        if expected is None:
            assert children == [], item["id"]
            continue
        (child,) = children
        tags[child.tag] += 1
        assert child.tag == expected[0] and child.get("type") == expected[1], item["id"]
        if child.tag == "skipped":
            assert child.get("message", "").startswith("needs attestation: ")
        else:
            assert child.text is not None and child.text.startswith(f"{item['id']} {item['title']}: ")
    assert suite.get("tests") == str(len(items))
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        str(tags["failure"]),
        str(tags["error"]),
        str(tags["skipped"]),
    )


def test_junit_totals_count_every_suite(view: ReportView) -> None:
    root = ET.fromstring(render_junit(view))  # noqa: S314 (our own output)
    names = [s.get("name") for s in root]
    assert names[-2:] == ["reference-architecture", f"readiness-{PROFILE}"]
    for key in ("tests", "failures", "errors", "skipped"):
        assert root.get(key) == str(sum(int(s.get(key, "-1")) for s in root)), key


def test_a_junit_checklist_failure_says_which_checks_fail_and_what_to_attest(view: ReportView) -> None:
    root = ET.fromstring(render_junit(view))  # noqa: S314 (our own output)
    suite = _suite(root, "reference-architecture")
    item = next(i for i in _items(view, "architecture") if i["status"] == "partially_met")
    case = next(c for c in suite if c.get("name") == f"{item['id']} {item['title']}")
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    for group in item["required"]:
        assert f"- {' or '.join(group['rules'])}: {group['status']}" in failure.text
    failing = [" or ".join(g["rules"]) for g in item["required"] if g["status"] == "fail"]
    assert failure.get("message", "").startswith(f"partially met: failing {', '.join(failing)}")


def test_junit_says_whether_a_failing_resource_is_in_the_phi_scope(view: ReportView) -> None:
    root = ET.fromstring(render_junit(view))  # noqa: S314 (our own output)
    seen = set()
    for case in root.iter("testcase"):
        failure = case.find("failure")
        if failure is None or failure.get("type") in ("not_met", "partially_met"):
            continue
        in_scope = case.get("name", "").lower() in view.phi_resources
        assert f"\nPHI scope: {'yes' if in_scope else 'no'}\n" in (failure.text or "")
        seen.add(in_scope)
    assert seen == {True, False}


# -- SARIF ----------------------------------------------------------------------------


def test_sarif_carries_the_checklists_in_the_run_properties_and_stays_valid(view: ReportView) -> None:
    log = json.loads(render_sarif(view))
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)
    properties = log["runs"][0]["properties"]
    assert properties["hipaaScan/architecture"] == _json(view.architecture)
    assert properties["hipaaScan/readiness"] == _json(view.readiness)
    assert properties["hipaaScan/phiWeighted"] == _json(view.phi_weighted)
    assert properties["hipaaScan/profile"] == {"id": PROFILE, "title": view.manifest["profile"]["title"]}
    assert properties["hipaaScan/attestations"] == view.manifest["attestations"]
    statuses = {i["id"]: i["status"] for i in properties["hipaaScan/architecture"]["items"]}
    assert statuses == {i["id"]: i["status"] for i in _items(view, "architecture")}


def test_sarif_flags_results_on_resources_in_the_phi_scope(view: ReportView) -> None:
    results = json.loads(render_sarif(view))["runs"][0]["results"]
    flagged = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].lower()
        for r in results
        if "phi" in r["properties"]
    }
    reported = {f["resource_id"].lower() for f in view.findings if f["status"] in ("fail", "unknown", "error")}
    assert flagged and flagged == reported & view.phi_resources
    assert all(r["properties"].get("phi", True) is True for r in results)


# -- CSV ------------------------------------------------------------------------------


def test_the_csv_stays_the_findings_table(view: ReportView) -> None:
    data = render_csv(view).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0] == CSV_COLUMNS
    assert len(rows) - 1 == len(view.findings)
    assert not any(row[0].startswith(("RA-", "nprm")) for row in rows[1:])


# -- terminal -------------------------------------------------------------------------


def _terminal(document: Mapping[str, Any]) -> str:
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(summary_renderable(dict(document)))
    return console.export_text()


def _counts(items: list[Mapping[str, Any]]) -> str:
    order = [
        "met",
        "partially_met",
        "not_met",
        "not_assessed",
        "needs_attestation",
        "no_resources_in_scope",
        "not_applicable",
    ]
    counts = Counter(i["status"] for i in items)
    return ", ".join(f"{counts[s]} {s.replace('_', ' ')}" for s in order if counts[s])


def test_the_terminal_summarises_each_checklist_the_phi_score_and_attestations(
    document: dict[str, Any], view: ReportView
) -> None:
    text = _terminal(document)
    assert f"\nReference architecture: {_counts(_items(view, 'architecture'))}\n" in text
    assert f"\nReadiness ({PROFILE}): {_counts(_items(view, 'readiness'))}\n" in text
    weighted = view.phi_weighted
    assert weighted is not None
    assert (
        f"\nPHI-weighted score: {weighted['overall']['score']:.1f}% (findings on resources in the PHI scope, "
        f"{len(view.phi_resources)} of the resources with findings, weigh {weighted['weight']:g}×; "
        "gates judge the unweighted score)\n" in text
    )
    summary = view.attestations
    assert summary.file is not None
    expired = summary.in_state("expired")
    assert (
        f"\nAttestations: {summary.file['entries']} entries in {summary.file['path']}, {len(summary.attested)} on "
        f"items in this report: {summary.states['valid']} valid, {len(expired)} expired ({', '.join(expired)})" in text
    )

"""The CI formats (JUnit XML, the Markdown summary, CSV) of the real
sample-tenant scan: what each shows, that hostile estate data cannot break or
weaponise them, that the summary stays within its byte limit at any size, and
that each is the same bytes whether rendered from the scan or from its JSON
report."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import SAMPLE
from rich.console import Console

from hipaa_scan.commands import ScanOutcome, scan
from hipaa_scan.engine import Settings
from hipaa_scan.model import Severity
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.csv_report import COLUMNS, render_csv
from hipaa_scan.reporting.junit import render_junit
from hipaa_scan.reporting.markdown import render_markdown
from hipaa_scan.reporting.terminal import summary_renderable
from hipaa_scan.reporting.view import ReportView

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
RENDERERS: dict[OutputFormat, Callable[[ReportView], bytes]] = {
    OutputFormat.JUNIT: render_junit,
    OutputFormat.MARKDOWN: render_markdown,
    OutputFormat.CSV: render_csv,
}
HOSTILE_ID = "/subscriptions/x/providers/Microsoft.Web/sites/<script>&\"\x01'|`]]>\r\n| forged | row |"


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> ScanOutcome:
    return scan(
        [str(SAMPLE)],
        formats=[OutputFormat.JSON, *RENDERERS],
        out_dir=tmp_path_factory.mktemp("ci-formats"),
        settings=Settings(frozenset({"eastus", "eastus2"})),
        now=NOW,
        fail_on=Severity.HIGH,
        jobs=1,
    )


@pytest.fixture(scope="module")
def view(outcome: ScanOutcome) -> ReportView:
    return ReportView.from_document(outcome.document)


@pytest.fixture(scope="module")
def read_back(outcome: ScanOutcome) -> ReportView:
    report = next(p for p in outcome.reports if p.name == OutputFormat.JSON.filename)
    return ReportView.from_report(json.loads(report.read_text(encoding="utf-8")), str(report))


def _with(view: ReportView, **changes: Any) -> ReportView:
    """The view plus one failing finding of its first failing rule, changed."""
    first = next(f for f in view.findings if f["status"] == "fail")
    return dataclasses.replace(view, findings=[*view.findings, {**first, **changes}])


def _parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 (our own output, parsed to prove it well-formed)


# -- every format ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(RENDERERS), ids=str)
def test_each_format_is_the_same_bytes_from_the_scan_and_from_its_report(
    fmt: OutputFormat, outcome: ScanOutcome, view: ReportView, read_back: ReportView
) -> None:
    render = RENDERERS[fmt]
    rendered = render(view)
    assert rendered == render(view)
    assert rendered == render(read_back)
    # and the scan wrote exactly that
    assert next(p for p in outcome.reports if p.name == fmt.filename).read_bytes() == rendered


# -- JUnit ------------------------------------------------------------------------


def test_junit_counts_are_the_views_statuses(view: ReportView) -> None:
    root = _parse(render_junit(view))
    statuses = Counter(f["status"] for f in view.findings)
    rules = view.rules
    # a suite per rule, then the reference architecture's checklist (no --profile: no readiness suite)
    assert [s.get("name") for s in root] == [f"{r} {rules[r]['title']}" for r in rules] + ["reference-architecture"]
    checklist = root[len(rules) :]
    extra = {key: sum(int(s.get(key, "-1")) for s in checklist) for key in ("tests", "failures", "errors", "skipped")}
    assert root.tag == "testsuites"
    assert root.attrib == {
        "name": "hipaa-scan",
        "tests": str(len(view.findings) + extra["tests"]),
        "failures": str(statuses["fail"] + extra["failures"]),
        # unknown is an error, never a skip: CI tabs show it red
        "errors": str(statuses["unknown"] + statuses["error"] + extra["errors"]),
        "skipped": str(statuses["not_applicable"] + extra["skipped"]),
        "time": "0",
        "timestamp": view.manifest["scanned_at"],
    }
    assert statuses["unknown"] and statuses["fail"] and statuses["not_applicable"], "the sample covers each kind"

    outcome_of = {"pass": None, "fail": "failure", "unknown": "error", "error": "error", "not_applicable": "skipped"}
    cases = []
    for n, suite in enumerate(root):
        assert suite.tag == "testsuite"
        assert [c.tag for c in suite] == ["properties"] + ["testcase"] * int(suite.get("tests", "-1"))
        tags = Counter(child.tag for case in suite.iter("testcase") for child in case)
        assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
            str(tags["failure"]),
            str(tags["error"]),
            str(tags["skipped"]),
        )
        assert suite.get("timestamp") == view.manifest["scanned_at"]
        if n < len(rules):
            cases += suite.findall("testcase")
    assert len(cases) == len(view.findings)
    for case, finding in zip(cases, view.findings, strict=True):
        assert (case.get("classname"), case.get("name")) == (finding["rule_id"], finding["resource_id"])
        assert [child.tag for child in case] == [t for t in [outcome_of[finding["status"]]] if t]
        if finding["status"] == "unknown":
            assert case[0].get("type") == "unknown"


def test_a_junit_failure_says_what_was_found_and_how_to_fix_it(view: ReportView) -> None:
    root = _parse(render_junit(view))
    finding = next(f for f in view.findings if f["status"] == "fail")
    rule = view.rules[finding["rule_id"]]
    case = next(
        c
        for c in root.iter("testcase")
        if (c.get("classname"), c.get("name")) == (finding["rule_id"], finding["resource_id"])
    )
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("type") == rule["severity"]
    assert f"expected {finding['expected']}" in failure.get("message", "")
    for fact in (rule["remediation"], finding["path"], json.dumps(finding["observed"]), finding["expected"]):
        assert fact in failure.text
    assert f"Source: {view.sources[finding['resource_id']]}" in failure.text


def test_hostile_strings_still_make_well_formed_junit(view: ReportView) -> None:
    hostile = _with(view, resource_id=HOSTILE_ID, message="\x00\x1b[31m</failure>\ud800", observed={"<a>": "]]>"})
    root = _parse(render_junit(hostile))
    case = next(c for c in root.iter("testcase") if "<script>" in c.get("name", ""))
    # kept where XML can hold it, visibly replaced where it cannot
    assert case.get("name") == HOSTILE_ID.replace("\x01", "\ufffd")
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert "Message: \ufffd\ufffd[31m</failure>\ufffd" in failure.text
    assert '{"<a>": "]]>"}' in failure.text


def test_junit_names_are_cut_to_what_azure_devops_stores_and_stay_distinct(view: ReportView) -> None:
    long_ids = ["/subscriptions/x/" + "a" * 600 + suffix for suffix in ("1", "2")]
    first = next(f for f in view.findings if f["status"] == "fail")
    longer = dataclasses.replace(view, findings=[{**first, "resource_id": i} for i in long_ids])
    cases = _parse(render_junit(longer)).iter("testcase")
    names = [c.get("name", "") for c in cases if c.get("classname") == first["rule_id"]]
    assert len(set(names)) == 2
    assert all(len(first["rule_id"]) + 1 + len(n) <= 512 for n in names)


# -- Markdown ---------------------------------------------------------------------


def _table_rows(markdown: str, heading: str) -> list[str]:
    section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    """Cells GitHub sees in a table row: it splits at every pipe not escaped with a backslash."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_markdown_shows_scores_counts_gate_and_the_worst_failure_first(outcome: ScanOutcome, view: ReportView) -> None:
    text = render_markdown(view, report_link="https://ci.example/artifacts/hipaa scan (1).html").decode("utf-8")
    overall = view.checklist["overall"]["score"]
    assert text.startswith(f"# HIPAA Security Rule scan: {overall:.1f}% overall\n")
    for safeguard in view.checklist["safeguards"]:
        assert f"| {safeguard['title']} ({safeguard['key']}) |" in text
    assert [s["key"] for s in view.checklist["safeguards"]] == ["164.308", "164.310", "164.312", "164.314", "164.316"]
    statuses = Counter(f["status"] for f in view.findings)
    assert f"{statuses['unknown']} unknown" in text and f"{statuses['fail']} fail" in text
    (gate,) = outcome.gates
    assert not gate.passed and gate.findings
    assert f"- `--fail-on high` **FAILED**: {len(gate.findings)} failing findings at high severity or above" in text
    assert "**Coverage gaps:** none recorded." in text
    ungated = {**view.manifest, "gates": []}
    assert b"**Gates:** none (no `--fail-on`" in render_markdown(dataclasses.replace(view, manifest=ungated))
    assert "[Full report](https://ci.example/artifacts/hipaa%20scan%20%281%29.html)" in text

    rules = view.rules
    fails = Counter(f["rule_id"] for f in view.findings if f["status"] == "fail")
    worst = min(fails, key=lambda r: (-Severity(rules[r]["severity"]).rank, -fails[r], r))
    rows = _table_rows(text, "## Top failures")
    assert rows[2].startswith(f"| {worst} | {rules[worst]['severity']} | {rules[worst]['title']} | {fails[worst]} |")
    assert len(rows) == 2 + len(fails), "every failing rule fits in the sample's summary"
    ranks = [Severity(rules[row.split(" | ")[0][2:]]["severity"]).rank for row in rows[2:]]
    assert ranks == sorted(ranks, reverse=True)


def test_hostile_data_cannot_break_the_markdown_table(view: ReportView) -> None:
    worst_rule = _table_rows(render_markdown(view).decode(), "## Top failures")[2].split(" | ")[0][2:]
    first = next(f for f in view.findings if f["rule_id"] == worst_rule and f["status"] == "fail")
    # placed first in the report's order, so it is one of the examples shown
    hostile = dataclasses.replace(
        view, findings=[{**first, "resource_id": HOSTILE_ID + "``@admin #1\ud800"}, *view.findings]
    )
    text = render_markdown(hostile).decode("utf-8")
    rows = _table_rows(text, "## Top failures")
    assert {_cells(row) for row in rows} == {6}
    assert not any("forged" in line and line.startswith("| forged") for line in text.splitlines())
    shown = next(row for row in rows if "<script>" in row)
    # inside a code span with a longer fence, so backticks, @mentions and HTML stay literal
    assert '``` /subscriptions/x/providers/Microsoft.Web/sites/<script>&"' in shown
    assert "\\|`]]>  \\| forged \\| row \\|``@admin #1? ```" in shown


def test_markdown_stays_under_its_limit_at_any_size(view: ReportView) -> None:
    rules = list(view.rules)
    findings = [
        {
            "rule_id": rules[n % len(rules)],
            "resource_id": f"/subscriptions/00000000-0000-0000-0000-{n:012d}/resourceGroups/rg|{n}/providers/"
            f"Microsoft.Storage/storageAccounts/st{n:06d}" + "x" * (n % 300),
            "resource_type": "Microsoft.Storage/storageAccounts",
            "subscription_id": f"00000000-0000-0000-0000-{n:012d}",
            "status": "fail",
            "path": "properties.x",
            "observed": n,
            "expected": "== 0",
            "message": "",
        }
        for n in range(50_000)
    ]
    # with the reference architecture's checklist, which does not grow with the estate
    big = dataclasses.replace(view, findings=findings, sources={})
    assert big.architecture is not None
    text = render_markdown(big)
    assert len(text) <= 65_000
    rows = _table_rows(text.decode("utf-8"), "## Top failures")
    left_out = re.search(rb"\n(\d+) more failing rules left out to keep this summary under 65,000 bytes", text)
    assert left_out, "the cut is said"
    assert len(rows) - 2 + int(left_out.group(1)) == len(rules)
    assert {_cells(row) for row in rows} == {6}

    # a step summary's 1 MiB holds every rule; a small limit still holds
    assert b"left out" not in render_markdown(big, limit=1024 * 1024)
    assert len(render_markdown(big, limit=4_000)) <= 4_000
    with pytest.raises(ValueError, match="the limit is 100"):
        render_markdown(big, limit=100)


def test_markdown_without_a_profile_attestations_or_phi_scope(view: ReportView) -> None:
    text = render_markdown(view).decode("utf-8")
    head, rest = text.split("\n## Reference architecture checklist\n", 1)
    assert "PHI-weighted" not in text and "## Proposed rule readiness" not in text
    assert rest.index("\n## Top failures\n") > 0, "the checklist comes before the list that is cut"
    needed = sum(1 for i in view.checklist["items"] if i["status"] == "needs_attestation")
    assert f"**Attestations:** none given (`--attestations FILE`). Still to attest: {needed} specifications, 1 " in head
    ra01 = next(line for line in rest.splitlines() if line.startswith("| RA-01 "))
    assert ra01 == "| RA-01 BAA signed with Microsoft | attestation | Needs attestation | – | – | none |"


def test_junit_without_a_profile_or_phi_scope(view: ReportView) -> None:
    junit = render_junit(view)
    assert b"PHI scope:" not in junit and b"readiness-" not in junit
    suite = _parse(junit)[-1]
    assert suite.get("name") == "reference-architecture" and suite.get("tests") == "21"
    ra01 = suite.find("testcase[@name='RA-01 BAA signed with Microsoft']")
    assert ra01 is not None and [child.tag for child in ra01] == ["skipped"]


def test_the_terminal_summary_without_a_profile_or_phi_scope(outcome: ScanOutcome) -> None:
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(summary_renderable(outcome.document))
    text = console.export_text()
    assert "\nReference architecture: " in text and "needs attestation" in text.split("Reference architecture: ")[1]
    assert "Readiness" not in text and "PHI-weighted" not in text and "Attestations:" not in text


# -- CSV ----------------------------------------------------------------------------


def _read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_finding_that_reads_back(view: ReportView) -> None:
    data = render_csv(view)
    assert data.decode("utf-8-sig").split("\r\n", 1)[0] == ",".join(f'"{c}"' for c in COLUMNS)
    rows = _read_csv(data)
    assert len(rows) == len(view.findings)
    rules = view.rules
    for row, finding in zip(rows, view.findings, strict=True):
        rule: Mapping[str, Any] = rules[finding["rule_id"]]
        assert row["rule_id"] == finding["rule_id"] and row["status"] == finding["status"]
        assert (row["severity"], row["title"]) == (rule["severity"], rule["title"])
        assert row["citations"] == "; ".join(rule["citations"])
        assert row["resource_id"] == finding["resource_id"]
        assert row["subscription_id"] == (finding["subscription_id"] or "")
        assert json.loads(row["observed"].removeprefix("'")) == finding["observed"]
        assert row["source"] == view.sources.get(finding["resource_id"], "")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"], ids=repr)
def test_csv_neutralises_every_formula_start(view: ReportView, start: str) -> None:
    hostile = _with(
        view,
        resource_id=start + 'HYPERLINK("http://evil.example","x")',
        resource_type=start + "cmd|' /C calc'!A0",
        subscription_id=start + "1+1",
        path=start + "2+3",
        expected=start + "SUM(1,2)",
        message=start + "x",
        observed=-1,
    )
    row = _read_csv(render_csv(hostile))[-1]
    changed = ("resource_id", "resource_type", "subscription_id", "path", "expected", "message")
    for column in changed:
        assert row[column] == "'" + hostile.findings[-1][column]
    # a negative number is neutralised too: one rule, no exception to bypass
    assert row["observed"] == "'-1"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_csv_keeps_hostile_text_whole(view: ReportView) -> None:
    hostile = _with(
        view,
        resource_id=HOSTILE_ID,
        resource_type="Microsoft.Web/sites\ud800",
        message='a "quoted",\r\nsecond line\x00',
        observed={"k": "=1"},
    )
    row = _read_csv(render_csv(hostile))[-1]
    assert row["resource_id"] == HOSTILE_ID
    assert row["resource_type"] == "Microsoft.Web/sites?"  # a lone surrogate has no UTF-8 form
    assert row["message"] == 'a "quoted",\r\nsecond line\x00'
    assert row["observed"] == '{"k": "=1"}'  # JSON text: its quote or brace comes first

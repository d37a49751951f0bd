"""Report schema 2: every fact once, nothing lost, written as a stream that
leaves no partial file behind."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import jsonschema
import pytest
from conftest import FIXTURES, SAMPLE

from hipaa_scan.commands import ScanOutcome, scan
from hipaa_scan.engine import Settings
from hipaa_scan.errors import InputError, OutputError
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.json_report import GROUP_FIELDS, json_parts, read_findings, render_json, report_document
from hipaa_scan.reporting.view import ReportView
from hipaa_scan.reporting.write import write_all_atomically

SCHEMA = json.loads((Path(__file__).parent.parent / "hipaa_scan" / "schemas" / "report.schema.json").read_text())
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> ScanOutcome:
    out = tmp_path_factory.mktemp("report")
    return scan(
        [str(SAMPLE)],
        formats=[OutputFormat.JSON],
        out_dir=out,
        settings=Settings(frozenset({"eastus", "eastus2"})),
        now=NOW,
        fail_on=None,
        jobs=1,
    )


def test_a_result_built_without_the_engines_resource_list_gives_the_same_report(outcome: ScanOutcome) -> None:
    written = (outcome.reports[0]).read_bytes()
    assert render_json(report_document(outcome.result)) == written
    assert render_json(report_document(dataclasses.replace(outcome.result, resources=()))) == written
    # and in any number of parts, concatenated
    document = report_document(outcome.result)
    for parts in (2, 3, 7):
        buffer = io.BytesIO()
        for part in json_parts(document, parts):
            part(buffer)
        assert buffer.getvalue() == written


@pytest.fixture(scope="module")
def scanned(outcome: ScanOutcome) -> tuple[dict, dict]:
    return outcome.document, json.loads(outcome.reports[0].read_text())


def test_the_report_holds_every_finding_of_the_engine_exactly(scanned: tuple[dict, dict]) -> None:
    document, report = scanned
    jsonschema.validate(report, SCHEMA)
    engine = [{**f._asdict(), "status": f.status.value} for f in document["findings"]]
    assert list(read_findings(report)) == engine


def test_each_fact_is_stated_once(scanned: tuple[dict, dict]) -> None:
    _, report = scanned
    ids = [r["id"].lower() for r in report["resources"]]
    assert ids == sorted(set(ids)), "resources are listed once, in id order"
    used = {row["resource"] for group in report["findings"] for row in group["results"]}
    assert used == set(range(len(ids))), "every listed resource has a finding"
    rule_ids = [g["rule_id"] for g in report["findings"]]
    assert rule_ids == sorted(set(rule_ids)), "one group per rule, in id order"
    repeated = 0
    for group in report["findings"]:
        for row in group["results"]:
            for name in GROUP_FIELDS:
                assert row.get(name, object()) != group[name], f"{group['rule_id']} repeats its group's {name}"
                repeated += name in row
    assert repeated, "the sample tenant has results that differ from their group"


def test_one_finding_per_line() -> None:
    # Greppable and diffable at any size: the golden report, line by line.
    text = (FIXTURES / "golden" / "sample-tenant.report.json").read_text()
    result_lines = [line for line in text.splitlines() if line.startswith('      {"resource":')]
    assert len(result_lines) == sum(len(g["results"]) for g in json.loads(text)["findings"])


def test_a_writer_that_fails_midway_leaves_the_previous_report(tmp_path: Path) -> None:
    target = tmp_path / "hipaa-scan-report.json"
    target.write_bytes(b"previous report")

    def broken(handle: BinaryIO) -> None:
        handle.write(b'{"schema_version": "2.0", "findings": [')
        raise ValueError("observed value cannot be serialised")

    with pytest.raises(ValueError, match="cannot be serialised"):
        write_all_atomically({tmp_path / "other.html": b"<html>", target: broken})
    assert target.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hipaa-scan-report.json"]


def test_an_unwritable_directory_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError, match="cannot write report"):
        write_all_atomically({blocker / "hipaa-scan-report.json": lambda handle: None})


def _part(text: bytes) -> Callable[[BinaryIO], None]:
    return lambda handle: handle.write(text)


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_parts_of_a_file_are_joined_in_order_by_any_number_of_processes(tmp_path: Path, jobs: int) -> None:
    parts = [_part(b"[1,"), _part(b"2,"), _part(b"3]")]
    write_all_atomically({tmp_path / "a.json": parts, tmp_path / "b.html": b"<html>"}, jobs=jobs)
    assert (tmp_path / "a.json").read_bytes() == b"[1,2,3]"
    assert (tmp_path / "b.html").read_bytes() == b"<html>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.html"]  # no part left behind


def test_parts_are_joined_where_the_kernel_will_not_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> int:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    write_all_atomically({tmp_path / "a.json": [_part(b"ab"), _part(b"cd"), _part(b"ef")]})
    assert (tmp_path / "a.json").read_bytes() == b"abcdef"


def test_the_view_of_a_scan_and_of_its_report_file_are_the_same(outcome: ScanOutcome) -> None:
    live = ReportView.from_document(outcome.document)
    read = ReportView.from_report(json.loads(outcome.reports[0].read_text()), "report.json")
    assert live == read
    assert live.sources and all(s.startswith(("tests/", str(SAMPLE), "(")) for s in live.sources.values())


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"schema_version": "1.0"}, "not a hipaa-scan JSON report of schema 2.x"),
        ([], "not a hipaa-scan JSON report"),
        ({"schema_version": "2.0", "manifest": {}, "checklist": {}}, "malformed JSON report (KeyError"),
    ],
)
def test_a_file_that_is_not_a_report_is_one_clear_error(document: object, problem: str) -> None:
    with pytest.raises(InputError, match=re.escape(f"old.json: {problem}")):
        ReportView.from_report(document, "old.json")  # type: ignore[arg-type]

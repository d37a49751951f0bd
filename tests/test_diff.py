"""Diffing two scans' findings: new, resolved, changed, unchanged."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

from conftest import SAMPLE, weakened_sample
from rich.console import Console

from hipaa_scan.commands import scan
from hipaa_scan.engine import Settings
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.diff import Change, FindingsDiff, diff_document, diff_findings, diff_renderable
from hipaa_scan.reporting.view import ReportView

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
VM = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
ST = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1"


def _render(diff: FindingsDiff, limit: int = 50) -> str:
    console = Console(record=True, width=200)
    console.print(diff_renderable(diff, old_label="old.json", new_label="new.json", limit=limit))
    return console.export_text()


def test_a_finding_that_starts_failing_is_new() -> None:
    diff = diff_findings([("ST-02", ST, "pass")], [("ST-02", ST, "fail"), ("VM-01", VM, "fail")])
    assert diff.new == (Change("ST-02", ST, "pass", "fail"), Change("VM-01", VM, None, "fail"))
    assert diff.resolved == diff.changed == ()
    assert diff.unchanged == 0


def test_a_finding_that_stops_failing_is_resolved_also_when_its_resource_is_gone() -> None:
    diff = diff_findings([("ST-02", ST, "fail"), ("VM-01", VM, "fail")], [("ST-02", ST, "pass")])
    assert diff.resolved == (Change("ST-02", ST, "fail", "pass"), Change("VM-01", VM, "fail", None))
    assert diff.new == diff.changed == ()


def test_fail_to_unknown_is_resolved_not_new() -> None:
    diff = diff_findings([("ST-02", ST, "fail")], [("ST-02", ST, "unknown")])
    assert diff.resolved == (Change("ST-02", ST, "fail", "unknown"),)


def test_unknown_is_never_pass() -> None:
    old = [("A-01", ST, "unknown"), ("A-02", ST, "pass"), ("A-03", ST, "error"), ("A-04", ST, "pass")]
    new = [("A-01", ST, "pass"), ("A-02", ST, "unknown"), ("A-03", ST, "pass"), ("A-05", ST, "pass")]
    diff = diff_findings(old, new)
    assert diff.changed == (
        Change("A-01", ST, "unknown", "pass"),
        Change("A-02", ST, "pass", "unknown"),
        Change("A-03", ST, "error", "pass"),
        Change("A-04", ST, "pass", None),
        Change("A-05", ST, None, "pass"),
    )
    assert diff.new == diff.resolved == ()
    assert diff.unchanged == 0


def test_the_same_status_is_unchanged_including_fail_to_fail() -> None:
    same = [("ST-02", ST, "fail"), ("VM-01", VM, "pass"), ("VM-02", VM, "unknown")]
    diff = diff_findings(same, list(same))
    assert diff == FindingsDiff((), (), (), 3)


def test_resource_ids_match_case_insensitively_in_the_new_spelling() -> None:
    diff = diff_findings([("ST-02", ST.lower(), "fail"), ("VM-01", VM.upper(), "pass")], [("VM-01", VM, "fail")])
    assert diff.new == (Change("VM-01", VM, "pass", "fail"),)
    assert diff.resolved == (Change("ST-02", ST.lower(), "fail", None),), "gone: the old spelling"
    diff = diff_findings([("ST-02", ST.upper(), "fail")], [("ST-02", ST.lower(), "fail")])
    assert diff == FindingsDiff((), (), (), 1)


def test_rule_ids_are_not_folded() -> None:
    diff = diff_findings([("ST-02", ST, "fail")], [("st-02", ST, "fail")])
    assert len(diff.new) == len(diff.resolved) == 1


def test_the_diff_is_sorted_and_independent_of_input_order() -> None:
    old = [(f"R-{i % 7:02d}", f"{ST}{i}", "pass") for i in range(60)]
    new = [(r, res.upper() if i % 2 else res, "fail" if i % 3 else "unknown") for i, (r, res, _) in enumerate(old)]
    expected = diff_findings(old, new)
    for seed in range(5):
        shuffled_old, shuffled_new = list(old), list(new)
        random.Random(seed).shuffle(shuffled_old)
        random.Random(seed + 100).shuffle(shuffled_new)
        assert diff_findings(shuffled_old, shuffled_new) == expected
    for changes in (expected.new, expected.changed):
        keys = [(c.rule_id, c.resource_id.lower()) for c in changes]
        assert keys == sorted(keys)
    assert len(expected.new) == 40 and len(expected.changed) == 20


def test_the_json_document_has_counts_and_every_change() -> None:
    diff = diff_findings(
        [("ST-02", ST, "fail"), ("A-01", VM, "unknown")], [("A-01", VM, "pass"), ("VM-01", VM, "fail")]
    )
    document = diff_document(diff)
    assert json.loads(json.dumps(document)) == {
        "counts": {"new": 1, "resolved": 1, "changed": 1, "unchanged": 0},
        "new": [{"rule_id": "VM-01", "resource_id": VM, "before": None, "after": "fail"}],
        "resolved": [{"rule_id": "ST-02", "resource_id": ST, "before": "fail", "after": None}],
        "changed": [{"rule_id": "A-01", "resource_id": VM, "before": "unknown", "after": "pass"}],
    }


def test_the_rendering_caps_each_table() -> None:
    old = [("R-01", f"{ST}{i:03d}", "pass") for i in range(120)]
    new = [("R-01", f"{ST}{i:03d}", "fail") for i in range(120)]
    text = _render(diff_findings(old, new), limit=10)
    assert "120 new, 0 resolved, 0 changed, 0 unchanged" in text
    assert f"{ST}009" in text and f"{ST}010" not in text
    assert "... and 110 more" in text
    assert "Resolved" not in text, "empty categories get no table"


def test_the_rendering_of_no_change() -> None:
    text = _render(diff_findings([("R-01", ST, "pass")], [("R-01", ST, "pass")]))
    assert "0 new, 0 resolved, 0 changed, 1 unchanged" in text
    assert "New failures" not in text


def _scan_view(inputs: Path, out: Path) -> ReportView:
    outcome = scan(
        [str(inputs)],
        formats=[OutputFormat.JSON],
        out_dir=out,
        settings=Settings(frozenset({"eastus", "eastus2"})),
        now=NOW,
        fail_on=None,
        jobs=1,
    )
    (report,) = outcome.reports
    return ReportView.from_report(json.loads(report.read_text()), str(report))


def test_a_storage_account_weakened_to_tls_1_0_is_one_new_finding(tmp_path: Path) -> None:
    tenant = weakened_sample(tmp_path)

    old = _scan_view(SAMPLE, tmp_path / "old")
    new = _scan_view(tenant, tmp_path / "new")
    diff = diff_findings(
        ((f["rule_id"], f["resource_id"], f["status"]) for f in old.findings),
        ((f["rule_id"], f["resource_id"], f["status"]) for f in new.findings),
    )

    (change,) = diff.new
    assert change.rule_id == "ST-02"
    assert change.resource_id.lower().endswith("/microsoft.storage/storageaccounts/stcontosophidocs")
    assert (change.before, change.after) == ("pass", "fail")
    assert diff.resolved == ()
    assert diff.changed == ()
    assert diff.unchanged == len(new.findings) - 1

    text = _render(diff)
    assert f"1 new, 0 resolved, 0 changed, {diff.unchanged:,} unchanged" in text
    assert "ST-02" in text and change.resource_id in text
    assert "old.json -> new.json" in text

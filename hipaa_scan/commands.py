"""What each CLI command does, as functions tests can call directly.

The CLI parses options into these requests, calls one function, and prints
what comes back; nothing here prints or exits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, assert_never

from hipaa_scan import __version__
from hipaa_scan.collector.clouds import Cloud
from hipaa_scan.collector.plan import RuleNeeds, build_plan
from hipaa_scan.collector.snapshot import snapshot_bytes
from hipaa_scan.controls import load_catalogue
from hipaa_scan.engine import Settings, evaluate, load_rule_pack
from hipaa_scan.engine.parallel import auto_jobs
from hipaa_scan.engine.runner import Progress
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.loaders import load_inputs
from hipaa_scan.model import Semantics, Severity
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.html_report import render_html
from hipaa_scan.reporting.json_report import json_parts, report_document, write_json
from hipaa_scan.reporting.write import Content, write_all_atomically
from hipaa_scan.scoring import ScanResult, assess

if TYPE_CHECKING:
    from hipaa_scan.collector.collect import Collection

REPORT_STEM = "hipaa-scan-report"
LIVE_SNAPSHOT = "hipaa-scan-snapshot.json.gz"

CollectProgress = Callable[[str, int, int], None]


# With the HTML report to render as well, the process that writes the JSON
# report's first part does less of it (the HTML costs about a third of the
# JSON at 100,000 resources; write_all_atomically keeps it in this process).
HTML_LEAD = 0.6


def render(fmt: OutputFormat, document: dict[str, Any], parts: int = 1, *, lead: float = 1.0) -> Content:
    """Every format renders from the one report document. The JSON report,
    the big one, comes in ``parts`` that separate processes can write."""
    match fmt:
        case OutputFormat.JSON:
            if parts > 1:
                return json_parts(document, parts, lead=lead)
            return functools.partial(write_json, document)
        case OutputFormat.HTML:
            return functools.partial(_write_html, document)
        case _:
            assert_never(fmt)


def _write_html(document: dict[str, Any], handle: BinaryIO) -> None:
    handle.write(render_html(document).encode("utf-8"))


@dataclass(frozen=True)
class ScanOutcome:
    document: dict[str, Any]
    reports: tuple[Path, ...]
    gate_failures: int
    gaps: int
    result: ScanResult


@gc_paused()
def scan(
    inputs: Sequence[str],
    *,
    formats: Sequence[OutputFormat],
    out_dir: Path,
    settings: Settings,
    now: datetime,
    fail_on: Severity | None,
    progress: Progress | None = None,
    debug: bool = False,
    parameter_files: Sequence[str] = (),
    template_mode: Semantics = Semantics.DESIRED,
    jobs: int | None = None,
) -> ScanOutcome:
    """Load, evaluate, score and write the reports. ``jobs`` is how many
    processes evaluate rules (None: by estate size and usable CPUs).

    The cyclic garbage collector stays off throughout: the snapshot and the
    findings are millions of acyclic objects that every full collection would
    walk again (at 100,000 resources the HTML rendering alone took 4x longer)."""
    pack = load_rule_pack()
    snapshot = load_inputs(inputs, parameter_files, template_mode)
    evaluation = evaluate(snapshot, pack.rules, settings=settings, now=now, progress=progress, debug=debug, jobs=jobs)
    findings = evaluation.findings
    result = ScanResult(
        tool_version=__version__,
        rule_pack_version=pack.version,
        rule_pack_sha256=pack.sha256,
        rules=pack.rules,
        snapshot=snapshot,
        findings=findings,
        assessment=assess(load_catalogue(), pack.rules, findings),
        scanned_at=now,
        settings=settings,
        fail_on=fail_on,
        resources=evaluation.resources,
    )
    document = report_document(result)
    # Reports are written by as many processes as evaluated the rules.
    jobs = jobs if jobs is not None else auto_jobs(len(findings))
    lead = HTML_LEAD if OutputFormat.HTML in formats else 1.0
    outputs = {out_dir / f"{REPORT_STEM}.{fmt.value}": render(fmt, document, jobs, lead=lead) for fmt in formats}
    write_all_atomically(outputs, jobs=jobs)
    return ScanOutcome(document, tuple(outputs), len(result.gate_failures()), len(snapshot.gaps), result)


@dataclass(frozen=True)
class CollectOutcome:
    path: Path
    collection: Collection


def collect_snapshot(
    out: Path,
    *,
    cloud: Cloud,
    now: datetime,
    tenant: str | None = None,
    subscriptions: Sequence[str] = (),
    management_group: str | None = None,
    break_glass: Sequence[str] = (),
    concurrency: int = 16,
    graph: bool = True,
    progress: CollectProgress | None = None,
) -> CollectOutcome:
    """Collect what the loaded rules read and write it as a snapshot
    (gzip when the name ends in .gz), atomically."""
    # Imported here so that an offline scan never imports the Azure SDK.
    from hipaa_scan.collector.collect import CollectOptions, collect
    from hipaa_scan.collector.credentials import make_credential

    pack = load_rule_pack()
    plan = build_plan([RuleNeeds(r.resource_types, r.reads) for r in pack.rules], graph=graph)
    options = CollectOptions(
        cloud=cloud,
        collected_at=now,
        tenant=tenant,
        subscriptions=tuple(s.lower() for s in subscriptions),
        management_group=management_group,
        break_glass=tuple(break_glass),
        concurrency=concurrency,
    )
    collection = collect(options, plan, make_credential(cloud), progress)
    write_all_atomically({out: snapshot_bytes(collection.document, compress=out.name.endswith(".gz"))})
    return CollectOutcome(out, collection)

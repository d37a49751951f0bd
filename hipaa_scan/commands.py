"""What each CLI command does, as functions tests can call directly.

The CLI parses options into these requests, calls one function, and prints
what comes back; nothing here prints or exits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from hipaa_scan import __version__, evidence, history
from hipaa_scan.attestations import NONE, attestation_template, load_attestations
from hipaa_scan.collector.clouds import Cloud
from hipaa_scan.collector.plan import RuleNeeds, build_plan
from hipaa_scan.collector.snapshot import snapshot_bytes
from hipaa_scan.controls import load_catalogue, load_profile
from hipaa_scan.engine import RulePack, Settings, evaluate, load_rule_pack
from hipaa_scan.engine.parallel import auto_jobs
from hipaa_scan.engine.runner import Progress
from hipaa_scan.errors import InputError
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.loaders import load_inputs
from hipaa_scan.model import Semantics, Severity
from hipaa_scan.policy import Policy, load_policy
from hipaa_scan.reporting import OutputFormat
from hipaa_scan.reporting.csv_report import render_csv
from hipaa_scan.reporting.diff import FindingsDiff, diff_findings
from hipaa_scan.reporting.gates import (
    GatePolicy,
    GateResult,
    evaluate_gates,
    failed,
    failing_keys,
    gate_records,
    parse_citation,
    parse_min_score,
)
from hipaa_scan.reporting.html_report import render_html
from hipaa_scan.reporting.json_report import document_from_report, json_parts, report_document, rfc3339, write_json
from hipaa_scan.reporting.junit import render_junit
from hipaa_scan.reporting.markdown import render_markdown
from hipaa_scan.reporting.pdf import find_chromium, write_pdf
from hipaa_scan.reporting.sarif import find_lines, render_sarif
from hipaa_scan.reporting.view import ReportView
from hipaa_scan.reporting.write import Content, write_all_atomically
from hipaa_scan.scoring import ScanResult, assess
from hipaa_scan.waivers import DEFAULT_MAX_DAYS, apply_waivers, load_waivers, tags_by_resource

if TYPE_CHECKING:
    from hipaa_scan.collector.collect import Collection

LIVE_SNAPSHOT = "hipaa-scan-snapshot.json.gz"

CollectProgress = Callable[[str, int, int], None]


# With the HTML report to render as well, the process that writes the JSON
# report's first part does less of it (the HTML costs about a third of the
# JSON at 100,000 resources; write_all_atomically keeps it in this process).
HTML_LEAD = 0.6


def render(
    fmt: OutputFormat,
    document: dict[str, Any],
    parts: int = 1,
    *,
    lead: float = 1.0,
    view: ReportView | None = None,
    lines: Mapping[str, int] | None = None,
    report_url: str | None = None,
) -> Content:
    """Every format renders from the one report document: the JSON and HTML
    reports directly (the JSON, the big one, in ``parts`` that separate
    processes can write), the CI formats from its ReportView. ``lines`` places
    template resources on their line in SARIF; ``report_url`` is where the
    Markdown summary links to the full report."""
    match fmt:
        case OutputFormat.JSON:
            if parts > 1:
                return json_parts(document, parts, lead=lead)
            return functools.partial(write_json, document)
        case OutputFormat.HTML:
            return functools.partial(_write_html, document)
        case OutputFormat.PDF:
            # Found now, so a missing browser fails the scan before any report is written.
            return functools.partial(write_pdf, document, find_chromium())
    results = view or ReportView.from_document(document)
    match fmt:
        case OutputFormat.SARIF:
            return render_sarif(results, lines=lines)
        case OutputFormat.JUNIT:
            return render_junit(results)
        case OutputFormat.MARKDOWN:
            return render_markdown(results, report_link=report_url)
        case OutputFormat.CSV:
            return render_csv(results)
    raise AssertionError(f"no renderer for {fmt}")


def _write_html(document: dict[str, Any], handle: BinaryIO) -> None:
    handle.write(render_html(document).encode("utf-8"))


# previous= default: look the previous scan up in the history file, if one is given.
HISTORY = object()


@dataclass(frozen=True)
class ScanOutcome:
    document: dict[str, Any]
    reports: tuple[Path, ...]
    gates: list[GateResult]
    gaps: int
    result: ScanResult

    @property
    def gate_failures(self) -> list[GateResult]:
        return failed(self.gates)


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
    report_url: str | None = None,
    gates: GatePolicy | None = None,
    history_file: Path | None = None,
    waivers_file: Path | None = None,
    waiver_max_days: int = DEFAULT_MAX_DAYS,
    policy: Policy | None = None,
    attestations_file: Path | None = None,
    profile: str | None = None,
    rules_dirs: Sequence[Path] = (),
    invocation: Mapping[str, Any] | None = None,
    extra_outputs: Sequence[Path] = (),
    previous: Mapping[str, Any] | object | None = HISTORY,
) -> ScanOutcome:
    """Load, evaluate, score and write the reports. ``jobs`` is how many
    processes evaluate rules (None: by estate size and usable CPUs).

    The cyclic garbage collector stays off throughout: the snapshot and the
    findings are millions of acyclic objects that every full collection would
    walk again (at 100,000 resources the HTML rendering alone took 4x longer).

    With ``invocation`` (how the scan was asked for, as `verify --rescan`
    replays it) an evidence manifest is written beside the reports, naming
    the SHA-256 of every input and report; ``extra_outputs`` are other files
    the scan wrote (the --live snapshot). ``previous`` replaces the history
    lookup (a rescan replays what the original found there)."""
    # The rules first: a bad custom pack is refused before any input is read.
    pack = load_rule_pack(extra_dirs=rules_dirs)
    catalogue = load_catalogue()
    policy = policy or Policy()
    # Hand-written files are checked before anything is scanned: a bad one is the user's first error.
    waivers = load_waivers(waivers_file, today=now.date(), max_days=waiver_max_days) if waivers_file else ()
    attestations = load_attestations(attestations_file, catalogue) if attestations_file else NONE
    chosen_profile = load_profile(profile or policy.profile)
    snapshot = load_inputs(inputs, parameter_files, template_mode)
    check_tenant(policy, snapshot.tenants)
    evaluation = evaluate(snapshot, pack.rules, settings=settings, now=now, progress=progress, debug=debug, jobs=jobs)
    findings = evaluation.findings
    waiver_records: list[dict[str, Any]] = []
    if waivers:
        applied = apply_waivers(findings, waivers, now=now, tags_of=tags_by_resource(snapshot.resources))
        findings, waiver_records = applied.findings, applied.records
    phi = policy.phi_scope.resources_in_scope(snapshot.resources)
    assessment = assess(
        catalogue,
        pack.rules,
        findings,
        attestations=attestations,
        today=now.astimezone(UTC).date(),
        phi_resources=phi,
        phi_weight=policy.phi_scope.weight,
    )
    result = ScanResult(
        tool_version=__version__,
        rule_pack_version=pack.version,
        rule_pack_sha256=pack.sha256,
        rules=pack.rules,
        snapshot=snapshot,
        findings=findings,
        assessment=assessment,
        scanned_at=now,
        settings=settings,
        fail_on=fail_on,
        resources=evaluation.resources,
        attestations=attestations,
        policy_record=policy.record() if policy.path or policy.phi_scope.configured else None,
        profile=chosen_profile,
        phi_resources=phi,
        custom_packs=custom_pack_records(pack),
        shipped_sha256=pack.shipped_sha256,
    )
    document = report_document(result)
    # The gates are judged before any report is written, so every report says which failed.
    judged_by = gates if gates is not None else GatePolicy(fail_on=fail_on)
    gate_results = evaluate_gates(
        document["checklist"], ((f.rule_id, f.resource_id, f.status) for f in findings), judged_by
    )
    document["manifest"]["gates"] = gate_records(gate_results)
    document["manifest"]["waivers"] = waiver_records
    if previous is not HISTORY:
        document["manifest"]["previous"] = previous
    elif history_file is not None:
        document["manifest"]["previous"] = since_previous(history_file, document)
    # Reports are written by as many processes as evaluated the rules.
    jobs = jobs if jobs is not None else auto_jobs(len(findings))
    lead = HTML_LEAD if OutputFormat.HTML in formats else 1.0
    view = ReportView.from_document(document) if any(f.derived for f in formats) else None
    lines = template_lines(view) if view is not None and OutputFormat.SARIF in formats else None
    outputs = {
        out_dir / fmt.filename: render(fmt, document, jobs, lead=lead, view=view, lines=lines, report_url=report_url)
        for fmt in formats
    }
    write_all_atomically(outputs, jobs=jobs)
    reports = tuple(outputs)
    if invocation is not None:
        # The history lookup is not evidence a rescan can repeat: record what it found.
        recorded = {**invocation, "previous": document["manifest"]["previous"]}
        inputs_read = evidence_inputs(document, invocation, waivers_file, rules_dirs)
        reports += (
            evidence.write_manifest(
                out_dir,
                tool_version=__version__,
                created_at=rfc3339(now),
                inputs=inputs_read,
                outputs=[*outputs, *extra_outputs],
                invocation=recorded,
            ),
        )
    if history_file is not None:
        history.record(history_file, view or ReportView.from_document(document))
    return ScanOutcome(document, reports, gate_results, len(snapshot.gaps), result)


def evidence_inputs(
    document: Mapping[str, Any],
    invocation: Mapping[str, Any],
    waivers_file: Path | None,
    rules_dirs: Sequence[Path],
) -> list[dict[str, Any]]:
    """Every file the scan read, with its role: the exports as they were
    hashed when parsed, then the hand-written files and custom rules."""
    manifest = document["manifest"]
    entries = [
        {
            "path": i["path"],
            "role": "parameters" if i["format"] == "arm-parameters" else "input",
            "sha256": i["sha256"],
            "bytes": i["bytes"],
        }
        for i in manifest["inputs"]
    ]
    for path, role in (
        (invocation["options"].get("baseline"), "baseline"),
        (str(waivers_file) if waivers_file else None, "waivers"),
    ):
        if path:
            entries.append(evidence.input_entry(path, role))
    # The attestations and the policy were hashed as they were read: the
    # evidence names those very bytes, as the report does.
    for record, role in ((manifest["attestations"], "attestations"), (manifest["policy"], "policy")):
        if record and record.get("path"):
            size = Path(record["path"]).stat().st_size
            entries.append({"path": record["path"], "role": role, "sha256": record["sha256"], "bytes": size})
    for folder in rules_dirs:
        modules = sorted(p for p in Path(folder).rglob("*.py") if "__pycache__" not in p.parts)
        entries += [evidence.input_entry(p, "rules") for p in modules]
    return entries


def rescan(invocation: Mapping[str, Any], out_dir: Path) -> None:
    """`verify --rescan`: the scan a manifest records, again, into ``out_dir``.
    The options are read as the CLI reads them; no history is recorded, and
    the change since the previous scan is the one the original recorded."""
    o = invocation["options"]
    fail_on = None if o["fail_on"] == "never" else Severity(o["fail_on"])
    org = load_policy(Path(o["config"]) if o["config"] else None)
    baseline = Path(o["baseline"]) if o["baseline"] else None
    scan(
        invocation["inputs"],
        formats=[OutputFormat(f) for f in o["formats"]],
        out_dir=out_dir,
        settings=org.settings([x for x in o["allowed_locations"].split(",") if x.strip()], o["break_glass"]),
        now=datetime.fromisoformat(invocation["now"].replace("Z", "+00:00")),
        fail_on=fail_on,
        parameter_files=o["parameters"],
        template_mode=Semantics(o["template_mode"]),
        report_url=o["report_url"],
        gates=gate_policy(fail_on, o["gate"], o["min_score"], baseline, o["fail_on_new"]),
        waivers_file=Path(o["waivers"]) if o["waivers"] else None,
        waiver_max_days=o["waiver_max_days"],
        policy=org,
        attestations_file=Path(o["attestations"]) if o["attestations"] else None,
        profile=o["profile"],
        rules_dirs=[Path(d) for d in o["rules_dir"]],
        # The manifest sorts the keys it records; the report keeps since_previous's order.
        previous=_in_report_order(invocation.get("previous")),
    )


def _in_report_order(previous: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if previous is None else {k: previous[k] for k in PREVIOUS_KEYS}


def verify_reports(
    directory: Path, *, check_inputs: bool = True, rescan_reports: bool = False
) -> evidence.Verification:
    """`hipaa-scan verify`: the reports and inputs against the directory's
    evidence manifest, and with ``rescan_reports`` the scan run again."""
    return evidence.verify(directory, check_inputs=check_inputs, rescan=rescan if rescan_reports else None)


PREVIOUS_KEYS = ("scan_id", "scanned_at", "overall", "new", "resolved", "changed", "unchanged")


def since_previous(history_file: Path, document: Mapping[str, Any]) -> dict[str, Any] | None:
    """What changed since the last recorded scan of the same scope, for the reports."""
    last = history.previous(history_file, history.scope_of(document["manifest"]))
    if last is None:
        return None
    now = ((f.rule_id, f.resource_id, str(f.status)) for f in document["findings"])
    change = diff_findings(history.findings_of(history_file, last.id), now)
    # In PREVIOUS_KEYS order.
    return {
        "scan_id": last.id,
        "scanned_at": last.scanned_at,
        "overall": last.overall,
        "new": len(change.new),
        "resolved": len(change.resolved),
        "changed": len(change.changed),
        "unchanged": change.unchanged,
    }


def history_trend(history_file: Path) -> list[history.ScanRecord]:
    """Every recorded scan, oldest first."""
    return history.scans(history_file)


def diff_scans(old: str, new: str, history_file: Path) -> FindingsDiff:
    """The change between two scans, each a JSON report file or a history id."""
    return diff_findings(_findings_for(old, history_file), _findings_for(new, history_file))


def _findings_for(which: str, history_file: Path) -> list[tuple[str, str, str]]:
    if which.isdigit() and not Path(which).is_file():
        return history.findings_of(history_file, int(which))
    view = ReportView.from_report(_read_report(Path(which)), which)
    return [(f["rule_id"], f["resource_id"], f["status"]) for f in view.findings]


def gate_policy(
    fail_on: Severity | None,
    citations: Sequence[str] = (),
    min_scores: Sequence[str] = (),
    baseline: Path | None = None,
    new_only: bool = False,
) -> GatePolicy:
    """The gates as the options give them; a baseline is read (and checked) here."""
    failing = None
    if baseline is not None:
        failing = failing_keys(ReportView.from_report(_read_report(baseline), str(baseline)))
    return GatePolicy(
        fail_on=fail_on,
        min_scores=tuple(parse_min_score(m) for m in min_scores),
        citations=tuple(dict.fromkeys(parse_citation(c) for c in citations)),
        baseline=failing,
        new_only=new_only,
    )


def _read_report(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON: {exc}") from None


@dataclass(frozen=True)
class ReportOutcome:
    view: ReportView
    reports: tuple[Path, ...]


def report(
    results: Path, *, formats: Sequence[OutputFormat], out_dir: Path, report_url: str | None = None
) -> ReportOutcome:
    """Render the formats of an earlier scan from its JSON report, without
    scanning again: CI turns one nightly JSON report into SARIF, JUnit and a
    summary, and an auditor re-renders a report they were handed."""
    source = str(results)
    data = _read_report(results)
    view = ReportView.from_report(data, source)
    try:
        document = document_from_report(data)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise InputError(source, f"malformed JSON report ({type(exc).__name__}: {exc})") from None
    lines = template_lines(view) if OutputFormat.SARIF in formats else None
    outputs = {
        out_dir / fmt.filename: render(fmt, document, view=view, lines=lines, report_url=report_url) for fmt in formats
    }
    write_all_atomically(outputs)
    return ReportOutcome(view, tuple(outputs))


def template_lines(view: ReportView) -> dict[str, int]:
    """The line of each template resource in its template, for SARIF, read
    from the template files the report names (best effort: a template that
    moved or cannot be read leaves its resources on line 1)."""
    lines: dict[str, int] = {}
    for entry in view.manifest["inputs"]:
        if entry.get("format") != "arm-template":
            continue
        path = entry["path"]
        names = {rid: rid.rstrip("/").rsplit("/", 1)[-1] for rid, src in view.sources.items() if src == path}
        try:
            text = Path(path).read_text("utf-8", errors="replace")
        except OSError:
            continue
        lines.update(find_lines(text, names))
    return lines


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
    rules_dirs: Sequence[Path] = (),
) -> CollectOutcome:
    """Collect what the loaded rules read and write it as a snapshot
    (gzip when the name ends in .gz), atomically."""
    # Imported here so that an offline scan never imports the Azure SDK.
    from hipaa_scan.collector.collect import CollectOptions, collect
    from hipaa_scan.collector.credentials import make_credential

    pack = load_rule_pack(extra_dirs=rules_dirs)
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


def check_tenant(policy: Policy, tenants: Sequence[str]) -> None:
    """Evidence from another tenant than the policy names is not evidence for
    this organization: refuse it rather than report on the wrong estate."""
    expected = policy.expected_tenant
    if expected and tenants and expected.lower() not in {t.lower() for t in tenants}:
        raise InputError(
            policy.path or "hipaa-scan.toml",
            f"expected_tenant is {expected}, but the inputs are from tenant {', '.join(tenants)}",
        )


def attest_init(out: Path, *, organization: str = "", force: bool = False) -> Path:
    """Write the attestations template: every specification and checklist
    item that needs an attestation, with the catalogue's guidance."""
    if out.exists() and not force:
        raise InputError(str(out), "already exists; edit it, or pass --force to start again")
    write_all_atomically({out: attestation_template(load_catalogue(), organization).encode("utf-8")})
    return out


def custom_pack_records(pack: RulePack) -> tuple[dict[str, Any], ...]:
    """What a report says of each --rules-dir pack."""
    return tuple(
        {"directory": str(c.directory), "version": c.version, "sha256": c.sha256, "rules": list(c.rule_ids)}
        for c in pack.custom
    )

"""The JSON evidence report. Every other format renders from this document,
so there is one source of truth for what a scan found."""

from __future__ import annotations

import functools
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any, BinaryIO

import orjson

from hipaa_scan.checklists import architecture_section, readiness_section
from hipaa_scan.controls import IN_FORCE_PROFILE, load_catalogue
from hipaa_scan.engine import ResourceIndex, Rule
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.model import Finding, Resource, Status
from hipaa_scan.scoring import FORMULA, PHI_RULE, WEIGHTS, ChecklistItem, PhiWeighted, RuleSummary, ScanResult, Score

# 2.1 added the audit package (architecture, readiness, attestations, policy,
# profile, custom rule packs, PHI flags). A minor version only adds keys, so a
# reader of 2.x reads every 2.x report (a baseline from before an upgrade too).
REPORT_SCHEMA_VERSION = "2.1"


def readable_schema(version: object) -> bool:
    """A report this version of hipaa-scan can read: the same major schema version."""
    return isinstance(version, str) and version.split(".")[0] == REPORT_SCHEMA_VERSION.split(".")[0]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@gc_paused()
def report_document(result: ScanResult) -> dict[str, Any]:
    snapshot = result.snapshot
    today = result.scanned_at.astimezone(UTC).date()
    table = result.resources or _resources_of(result)
    types = Counter(r.type.lower() for r in snapshot.resources)
    subscriptions = sorted({s for r in snapshot.resources if (s := r.subscription_id)})
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "manifest": {
            "tool": {"name": "hipaa-scan", "version": result.tool_version},
            "rule_pack": {
                "version": result.rule_pack_version,
                "sha256": result.rule_pack_sha256,
                "rules": len(result.rules),
                "shipped_sha256": result.shipped_sha256 or result.rule_pack_sha256,
                "custom": list(result.custom_packs),
            },
            "inputs": [
                {
                    "path": f.path,
                    "sha256": f.sha256,
                    "bytes": f.size,
                    "format": f.format,
                    "resources": f.resources,
                    "semantics": f.semantics.value,
                }
                for f in snapshot.inputs
            ],
            "collected_at": snapshot.collected_at,
            "scanned_at": rfc3339(result.scanned_at),
            "scope": {
                "tenants": list(snapshot.tenants),
                "subscriptions": subscriptions,
                "resources": len(snapshot.resources),
                "resource_types": dict(sorted(types.items())),
            },
            "settings": {
                "allowed_locations": sorted(result.settings.allowed_locations),
                "break_glass_accounts": sorted(result.settings.break_glass_accounts),
                "fail_on": result.fail_on.value if result.fail_on else None,
            },
            "coverage_gaps": [
                {"scope": g.scope, "api": g.api, "status": g.status, "message": g.message} for g in snapshot.gaps
            ],
            "summary": {
                "findings": dict(result.assessment.overall.counts),
                "gate_failures": len(result.gate_failures()),
            },
            # Filled in by the scan once it has judged its gates (reporting/gates.py).
            "gates": [],
            # With --history: the change since the previous scan of the same scope.
            "previous": None,
            # With --waivers: every waiver, its state (active, expired, stale) and what it matched.
            "waivers": [],
            "profile": {
                "id": result.profile.id if result.profile else IN_FORCE_PROFILE,
                "title": _profile_title(result),
            },
            "policy": result.policy_record,
            "attestations": (
                {
                    "path": result.attestations.path,
                    "sha256": result.attestations.sha256,
                    "entries": len(result.attestations.by_key),
                }
                if result.attestations.path
                else None
            ),
        },
        "checklist": {
            "scoring": {"formula": FORMULA, "weights": {k.value: v for k, v in WEIGHTS.items()}},
            "overall": _score(result.assessment.overall),
            "safeguards": [_score(s) for s in result.assessment.safeguards],
            "items": [checklist_item(i, today) for i in result.assessment.items],
            "rules": [_rule(s) for s in result.assessment.rules],
            "phi_weighted": _phi_weighted(result.assessment.phi_weighted),
        },
        "architecture": architecture_section(result.assessment.rules, result.attestations, today),
        "readiness": (
            readiness_section(
                result.profile,
                load_catalogue(),
                result.assessment.rules,
                result.assessment.items,
                result.attestations,
                today,
            )
            if result.profile
            else None
        ),
        # The engine's findings, in (rule id, resource id) order, and the
        # resources they are about; write_json turns them into the "resources"
        # table and per-rule "findings" groups.
        "resources": table,
        "findings": result.findings,
        # Those of the table's resources in the PHI scope: what the report's
        # "phi" flags state, so a re-render from the JSON counts the same.
        "phi_resources": frozenset(r.key for r in table if r.key in result.phi_resources),
    }


# Keys of the in-memory document written as tables (resources, findings) or
# folded into them (phi_resources: the "phi" flag of resource rows).
IN_MEMORY_KEYS = ("resources", "findings", "phi_resources")

# Fields a finding result states only where it differs from its rule group.
GROUP_FIELDS = ("path", "expected", "message")


def render_json(document: Mapping[str, Any]) -> bytes:
    """The report as bytes (tests and small outputs; scans stream with write_json)."""
    buffer = io.BytesIO()
    write_json(document, buffer)
    return buffer.getvalue()


def write_json(document: Mapping[str, Any], handle: BinaryIO) -> None:
    """Stream the report: manifest and checklist indented, then one line per
    resource and per finding, so a 100,000-resource report never exists as one
    string in memory and stays greppable. Byte-identical for the same input
    and clock: findings arrive sorted, and dict order is construction order.

    Schema 2 states each fact once. ``resources`` lists every resource a
    finding is about; a finding names its resource by position in that list.
    Findings are grouped by rule; a group states the path, expected value and
    message most of its results share, and a result repeats one of them only
    where it differs.
    """
    for part in json_parts(document, 1):
        part(handle)


# The resource table's cost against the findings groups', per line (measured
# at 100,000 resources: 0.1 s for 64k resources, 0.8 s for 473k findings).
_RESOURCE_TABLE_SHARE = 0.13


@gc_paused()
def json_parts(document: Mapping[str, Any], parts: int, *, lead: float = 1.0) -> list[Callable[[BinaryIO], None]]:
    """The report as ``parts`` writers whose outputs, concatenated in order,
    are exactly what ``write_json`` writes, so separate processes can write
    them at once. The first writes the head and the resource table, the last
    the closing brackets; the findings groups are cut where the work evens
    out, the first part getting ``lead`` times a share (less than one when its
    process also has other work).
    """
    findings: Sequence[Finding] = document["findings"]
    head = orjson.dumps({k: v for k, v in document.items() if k not in IN_MEMORY_KEYS}, option=orjson.OPT_INDENT_2)
    table: Sequence[Resource] = document["resources"]
    phi: frozenset[str] = document.get("phi_resources", frozenset())
    # By the id as the engine spells it (its findings share that string), and
    # lower-cased for a finding that spells it otherwise.
    positions = {r.id: n for n, r in enumerate(table)}
    positions.update((r.key, n) for n, r in enumerate(table))
    counts = {r["rule_id"]: sum(r["counts"].values()) for r in document["checklist"]["rules"]}
    groups = [(rule_id, counts[rule_id]) for rule_id in sorted(counts) if counts[rule_id]]
    bounds = _cut(groups, len(findings), parts, lead)

    def write(part: int, handle: BinaryIO) -> None:
        start, stop = bounds[part], bounds[part + 1]
        if part == 0:
            handle.write(head[: head.rindex(b"}")].rstrip() + b',\n  "resources": [\n    ')
            # One orjson call, then a line break per resource: the marker cannot
            # occur inside these objects, whose values are all strings.
            rows: list[dict[str, Any]] = [
                {"id": r.id, "type": r.type, "subscription_id": r.subscription_id, "source": r.source} for r in table
            ]
            if phi:
                # Only resources in the PHI scope say so: one key on every row would cost 1 MB at 100,000.
                for row, r in zip(rows, table, strict=True):
                    if r.key in phi:
                        row["phi"] = True
            handle.write(orjson.dumps(rows)[1:-1].replace(b'},{"id":', b'},\n    {"id":'))
            handle.write(b'\n  ],\n  "findings": [')
        offset = sum(size for _, size in groups[:start])
        for n in range(start, stop):
            rule_id, size = groups[n]
            _write_group(rule_id, findings[offset : offset + size], positions, handle, first=n == 0)
            offset += size
        if part == len(bounds) - 2:
            handle.write(b"\n  ]\n}\n")

    return [functools.partial(write, n) for n in range(len(bounds) - 1)]


def _cut(groups: Sequence[tuple[str, int]], total: int, parts: int, lead: float) -> list[int]:
    """Group indexes where each part starts (and the end), so that each part's
    work, the resource table counted in the first, is about equal."""
    if parts <= 1 or len(groups) < parts:
        return [0, len(groups)]
    unit = total * (1 + _RESOURCE_TABLE_SHARE) / (lead + parts - 1)
    bounds = [0]
    done = total * _RESOURCE_TABLE_SHARE
    for n, (_, size) in enumerate(groups):
        if len(bounds) < parts and done >= unit * (lead + len(bounds) - 1):
            bounds.append(n)
        done += size
    return [*bounds, len(groups)]


def _resources_of(result: ScanResult) -> tuple[Resource, ...]:
    """The resources the findings are about, by lower-cased id, as the
    engine's index knows them (for a result built by hand; the engine hands
    them over in this order)."""
    index = ResourceIndex(result.snapshot)
    found: dict[str, Resource] = {}
    for f in result.findings:
        key = f.resource_id.lower()
        if key not in found:
            resource = index.get(key)
            found[key] = resource or Resource(f.resource_id, f.resource_type, "", None, {}, "(not in the input)")
    return tuple(found[key] for key in sorted(found))


def _write_group(
    rule_id: str, group: Sequence[Finding], positions: Mapping[str, int], handle: BinaryIO, *, first: bool
) -> None:
    path, expected, message = (_most_common(map(attrgetter(name), group)) for name in GROUP_FIELDS)
    header = orjson.dumps({"rule_id": rule_id, "path": path, "expected": expected, "message": message, "results": []})
    handle.write((b"\n    " if first else b",\n    ") + header[:-2])
    rows: list[dict[str, Any]] = []
    for f in group:
        position = positions.get(f.resource_id)
        if position is None:
            position = positions[f.resource_id.lower()]
        row: dict[str, Any] = {"resource": position, "status": f.status, "observed": f.observed}
        if f.path != path:
            row["path"] = f.path
        if f.expected != expected:
            row["expected"] = f.expected
        if f.message != message:
            row["message"] = f.message
        rows.append(row)
    # One orjson call per rule, then a line break before each result. Only
    # whitespace is added, so even an observed value that happens to contain
    # the marker stays the same JSON.
    body = orjson.dumps(rows)[1:-1].replace(b'},{"resource":', b'},\n      {"resource":')
    handle.write(b"\n      " + body + b"\n    ]}")


def _most_common(values: Iterable[str]) -> str:
    """The value most results share; ties go to the first in sort order, so
    the choice never depends on anything but the findings."""
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], v))


def read_findings(report: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every finding of a parsed schema-2 JSON report as one flat object:
    rule_id, resource_id, resource_type, subscription_id, status, path,
    observed, expected, message. What a consumer of the report writes first,
    so it lives here, next to the writer it must agree with."""
    resources = report["resources"]
    for group in report["findings"]:
        for row in group["results"]:
            resource = resources[row["resource"]]
            yield {
                "rule_id": group["rule_id"],
                "resource_id": resource["id"],
                "resource_type": resource["type"],
                "subscription_id": resource["subscription_id"],
                "status": row["status"],
                "path": row.get("path", group["path"]),
                "observed": row["observed"],
                "expected": row.get("expected", group["expected"]),
                "message": row.get("message", group["message"]),
            }


def _score(score: Score) -> dict[str, Any]:
    return {
        "key": score.key,
        "title": score.title,
        "score": score.score,
        "passed_weight": score.passed_weight,
        "total_weight": score.total_weight,
        "counts": dict(score.counts),
    }


def _profile_title(result: ScanResult) -> str:
    return result.profile.title if result.profile else "HIPAA Security Rule (45 CFR 164 Subpart C), in force"


def _phi_weighted(weighted: PhiWeighted | None) -> dict[str, Any] | None:
    if weighted is None:
        return None
    return {
        "rule": PHI_RULE,
        "weight": weighted.weight,
        "overall": _score(weighted.overall),
        "safeguards": [_score(s) for s in weighted.safeguards],
    }


def checklist_item(item: ChecklistItem, today: date | None = None) -> dict[str, Any]:
    c = item.control
    attestation = item.attestation.record(today) if item.attestation and today else None
    return {
        "citation": c.citation,
        "id": c.id,
        "name": c.name,
        "section": c.section,
        "safeguard": c.safeguard,
        "kind": c.kind,
        "parent": c.parent,
        "designation": c.designation,
        "status": item.status.value,
        "automated_status": item.automated_status.value,
        "evidence": c.evidence.value,
        "needs_attestation": item.needs_attestation,
        "attestation_guidance": c.attestation_guidance,
        "attestation": attestation,
        "summary": c.summary,
        "url": c.url,
        "counts": dict(item.counts),
        "rules": [s.rule.id for s in item.rules],
    }


def rule_metadata(r: Rule) -> dict[str, Any]:
    """A rule's declared metadata, as reports and `hipaa-scan rules` show it."""
    return {
        "rule_id": r.id,
        "title": r.title,
        "severity": r.severity.value,
        "resource_types": list(r.resource_types),
        "citations": list(r.citations),
        "rationale": r.rationale,
        "remediation": r.remediation,
    }


def _rule(summary: RuleSummary) -> dict[str, Any]:
    return {**rule_metadata(summary.rule), "counts": dict(summary.counts)}


def document_from_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report document (as report_document builds it) of a parsed JSON
    report, so `hipaa-scan report` renders the HTML or JSON of an earlier scan
    exactly as that scan would have. KeyError, IndexError, TypeError or
    ValueError mean the report is malformed."""
    resources = tuple(
        Resource(r["id"], r["type"], r["id"].rstrip("/").rsplit("/", 1)[-1], None, {}, r["source"])
        for r in report["resources"]
    )
    findings = tuple(
        Finding(
            f["rule_id"],
            f["resource_id"],
            f["resource_type"],
            f["subscription_id"],
            Status(f["status"]),
            f["path"],
            f["observed"],
            f["expected"],
            f["message"],
        )
        for f in read_findings(report)
    )
    head = {k: v for k, v in report.items() if k not in IN_MEMORY_KEYS}
    phi = frozenset(r["id"].lower() for r in report["resources"] if r.get("phi"))
    return {**head, "resources": resources, "findings": findings, "phi_resources": phi}

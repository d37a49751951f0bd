"""The JSON evidence report. Every other format renders from this document,
so there is one source of truth for what a scan found."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import orjson

from hipaa_scan.engine import Rule
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.scoring import FORMULA, WEIGHTS, ChecklistItem, RuleSummary, ScanResult, Score

REPORT_SCHEMA_VERSION = "2.0"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@gc_paused()
def report_document(result: ScanResult) -> dict[str, Any]:
    snapshot = result.snapshot
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
        },
        "checklist": {
            "scoring": {"formula": FORMULA, "weights": {k.value: v for k, v in WEIGHTS.items()}},
            "overall": _score(result.assessment.overall),
            "safeguards": [_score(s) for s in result.assessment.safeguards],
            "items": [checklist_item(i) for i in result.assessment.items],
            "rules": [_rule(s) for s in result.assessment.rules],
        },
        # Finding dataclasses go to orjson as they are (see model.Finding).
        "findings": result.findings,
    }


def render_json(document: dict[str, Any]) -> bytes:
    """The report document as bytes. Byte-identical for the same input and
    clock: every list is sorted upstream and dict order is construction order."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def _score(score: Score) -> dict[str, Any]:
    return {
        "key": score.key,
        "title": score.title,
        "score": score.score,
        "passed_weight": score.passed_weight,
        "total_weight": score.total_weight,
        "counts": dict(score.counts),
    }


def checklist_item(item: ChecklistItem) -> dict[str, Any]:
    c = item.control
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
        "evidence": c.evidence.value,
        "needs_attestation": item.needs_attestation,
        "attestation_guidance": c.attestation_guidance,
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

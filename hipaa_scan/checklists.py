"""The checklists beside the HIPAA specifications: the reference
architecture's implementation checklist and a readiness profile's
requirements. Both are judged from the same per-rule results as the
specifications, plus attestations; neither changes a score.

A rule's result is the worst of its findings: ``fail`` if any finding fails
(a waiver accepts the risk, it does not make the control pass), else
``unknown`` if any could not be judged, else ``pass`` if any passed, else
``no_resources``. A rule the pack does not have is ``not_implemented``.
A requirement group passes when one of its rules passes (``KV-04|KV-05``);
an item is the worst of its required groups, so unknown is never pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from hipaa_scan.attestations import Attestations, AttestationState
from hipaa_scan.controls import ArchitectureItem, Catalogue, Profile, load_architecture
from hipaa_scan.scoring import ChecklistItem, ItemStatus, RuleSummary, combine_with_attestation

# Worst first.
RULE_RESULTS = ("fail", "not_implemented", "unknown", "pass", "no_resources")
_RANK = {r: n for n, r in enumerate(RULE_RESULTS)}


def rule_result(counts: Mapping[str, int] | None) -> str:
    if counts is None:
        return "not_implemented"
    if counts["fail"] or counts["waived"]:
        return "fail"
    if counts["unknown"] or counts["error"]:
        return "unknown"
    if counts["pass"]:
        return "pass"
    return "no_resources"


def group_result(results: Sequence[str]) -> str:
    """A group passes when one of its rules does. Otherwise an alternative
    that could not be judged might have passed, so the group is unknown; a
    failing one with no other alternative fails; and an alternative with no
    resources or no rule never hides a failing one."""
    for result in ("pass", "unknown", "fail", "not_implemented"):
        if result in results:
            return result
    return "no_resources"


def worst(results: Sequence[str]) -> str:
    return min(results, key=_RANK.__getitem__) if results else "no_resources"


def automated_status(results: Sequence[str]) -> ItemStatus:
    """An item's status from its required groups' results."""
    if not results:
        return ItemStatus.NOT_ASSESSED
    w = worst(results)
    if w == "fail":
        return ItemStatus.PARTIALLY_MET if "pass" in results else ItemStatus.NOT_MET
    if w in ("unknown", "not_implemented"):
        return ItemStatus.PARTIALLY_MET if "pass" in results else ItemStatus.NOT_ASSESSED
    return ItemStatus.MET if w == "pass" or "pass" in results else ItemStatus.NO_RESOURCES


def _by_rule(summaries: Sequence[RuleSummary]) -> dict[str, Mapping[str, int]]:
    return {s.rule.id: s.counts for s in summaries}


def architecture_section(summaries: Sequence[RuleSummary], attestations: Attestations, today: date) -> dict[str, Any]:
    """The reference architecture's checklist, as every report shows it."""
    source, items = load_architecture()
    counts = _by_rule(summaries)
    return {"source": source, "items": [_architecture_item(i, counts, attestations, today) for i in items]}


def _architecture_item(
    item: ArchitectureItem, counts: Mapping[str, Mapping[str, int]], attestations: Attestations, today: date
) -> dict[str, Any]:
    required: list[dict[str, Any]] = []
    for group in item.required:
        result = group_result([rule_result(counts.get(r)) for r in group])
        required.append({"rules": list(group), "status": result})
    results: list[str] = [g["status"] for g in required]
    needs = bool(item.attestation_guidance)
    attestation = attestations.get(item.id)
    if item.evidence == "attestation":
        auto = ItemStatus.NEEDS_ATTESTATION
    else:
        auto = automated_status(results)
    status = combine_with_attestation(auto, needs, attestation, today, decided_by_attestation=not item.required)
    return {
        "id": item.id,
        "list": item.list,
        "title": item.title,
        "evidence": item.evidence,
        "status": status.value,
        "automated_status": auto.value,
        "citations": list(item.citations),
        "required": required,
        "supporting": [{"rule_id": r, "status": rule_result(counts.get(r))} for r in item.supporting],
        "attestation": attestation.record(today) if attestation else None,
        "attestation_guidance": item.attestation_guidance,
    }


def readiness_section(
    profile: Profile,
    catalogue: Catalogue,
    summaries: Sequence[RuleSummary],
    items: Sequence[ChecklistItem],
    attestations: Attestations,
    today: date,
) -> dict[str, Any]:
    """A readiness view of a proposed rule: what would not be met if it were
    in force. It reads the same results and never changes a score."""
    counts = _by_rule(summaries)
    out = []
    for item in profile.items:
        rules: list[str] = []
        reason = ""
        if item.kind == "rules":
            rules = list(item.required)
        elif item.kind == "citations":
            wanted = {d for c in item.required for d in catalogue.descendants(c)}
            rules = [s.rule.id for s in summaries if wanted.intersection(s.rule.citations)]
        results = [rule_result(counts.get(r)) for r in rules]
        if item.kind == "addressable":
            settled = (ItemStatus.MET, ItemStatus.NO_RESOURCES, ItemStatus.NOT_APPLICABLE)
            gaps = [i for i in items if i.control.designation == "Addressable" and i.status not in settled]
            auto = ItemStatus.MET if not gaps else ItemStatus.NOT_MET
            reason = (
                f"{len(gaps)} addressable specifications not met would become required: "
                + ", ".join(i.control.citation for i in gaps)
                if gaps
                else "every addressable specification is met"
            )
        elif item.kind == "attestation":
            auto = ItemStatus.NEEDS_ATTESTATION
        else:
            auto = automated_status(results)
            failing = [r for r, res in zip(rules, results, strict=True) if res != "pass" and res != "no_resources"]
            reason = "not passing: " + ", ".join(failing) if failing else ""
        attestation = attestations.get(item.id)
        status = combine_with_attestation(
            auto, item.needs_attestation, attestation, today, decided_by_attestation=item.kind == "attestation"
        )
        if attestation is not None and attestation.state(today) is not AttestationState.VALID:
            reason = (reason + "; " if reason else "") + f"attestation {attestation.state(today).value}"
        out.append(
            {
                "id": item.id,
                "title": item.title,
                "description": item.description,
                "status": status.value,
                "automated_status": auto.value,
                "reason": reason,
                "rules": rules,
                "rule_results": dict(zip(rules, results, strict=True)),
                "supporting": [{"rule_id": r, "status": rule_result(counts.get(r))} for r in item.supporting],
                "attestation": attestation.record(today) if attestation else None,
            }
        )
    return {"profile": profile.id, "title": profile.title, "note": profile.note, "items": out}

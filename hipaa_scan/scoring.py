"""Findings -> the implementation checklist and severity-weighted scores.

Pure functions of data: no I/O, no clock.

Score formula (documented in the README and in every JSON report):
  weight(finding) = 10 critical, 5 high, 3 medium, 1 low
  score = 100 * sum(weight of pass) / sum(weight of pass + fail + unknown + error)
not_applicable findings are left out. unknown and error count against the
score: evidence we could not see is never treated as compliant.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from hipaa_scan.attestations import NONE, Attestation, Attestations, AttestationState
from hipaa_scan.controls import SAFEGUARDS, Catalogue, Control, Evidence, Profile
from hipaa_scan.engine import Rule, Settings
from hipaa_scan.model import Finding, Resource, Severity, Snapshot, Status

WEIGHTS: Mapping[Severity, int] = {
    Severity.CRITICAL: 10,
    Severity.HIGH: 5,
    Severity.MEDIUM: 3,
    Severity.LOW: 1,
}
FORMULA = (
    "score = 100 * sum(w(pass)) / sum(w(pass) + w(fail) + w(waived) + w(unknown) + w(error)); "
    "w = 10 critical, 5 high, 3 medium, 1 low; not_applicable excluded; a waived finding counts as failing"
)


class ItemStatus(enum.StrEnum):
    MET = "met"
    PARTIALLY_MET = "partially_met"
    NOT_MET = "not_met"
    NOT_ASSESSED = "not_assessed"
    NO_RESOURCES = "no_resources_in_scope"
    NEEDS_ATTESTATION = "needs_attestation"
    NOT_APPLICABLE = "not_applicable"  # only by a valid attestation (e.g. no clearinghouse function)


@dataclass(frozen=True, slots=True)
class Score:
    key: str
    title: str
    score: float | None  # None when nothing was assessed
    passed_weight: int
    total_weight: int
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class RuleSummary:
    rule: Rule
    counts: Mapping[str, int]
    # The part of ``counts`` on resources in the PHI scope (None: no scope configured).
    phi_counts: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    control: Control
    status: ItemStatus
    rules: tuple[RuleSummary, ...]
    counts: Mapping[str, int]
    needs_attestation: bool
    # The status the rules alone give, before any attestation.
    automated_status: ItemStatus = ItemStatus.NOT_ASSESSED
    attestation: Attestation | None = None


@dataclass(frozen=True, slots=True)
class PhiWeighted:
    weight: float
    overall: Score
    safeguards: tuple[Score, ...]


@dataclass(frozen=True, slots=True)
class Assessment:
    items: tuple[ChecklistItem, ...]
    safeguards: tuple[Score, ...]
    overall: Score
    rules: tuple[RuleSummary, ...]
    phi_weighted: PhiWeighted | None = None


def empty_counts() -> dict[str, int]:
    return {s.value: 0 for s in Status}


def add_counts(parts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total = empty_counts()
    for part in parts:
        for key, value in part.items():
            total[key] += value
    return total


def score_of(key: str, title: str, summaries: Sequence[RuleSummary]) -> Score:
    """Severity-weighted score over the findings of ``summaries``' rules."""
    passed = total = 0
    for summary in summaries:
        weight = WEIGHTS[summary.rule.severity]
        counts = summary.counts
        passed += weight * counts["pass"]
        total += weight * (counts["pass"] + counts["fail"] + counts["waived"] + counts["unknown"] + counts["error"])
    value = round(100.0 * passed / total, 1) if total else None
    return Score(key, title, value, passed, total, add_counts(s.counts for s in summaries))


PHI_RULE = (
    "PHI-weighted score: a finding on a resource in the PHI scope (hipaa-scan.toml [phi_scope]) weighs its "
    "severity weight times the scope's weight (default 2); other findings weigh their severity weight. "
    "The unweighted score, which gates judge, stays in checklist.overall."
)


def phi_weighted_score(key: str, title: str, summaries: Sequence[RuleSummary], weight: float) -> Score:
    """As score_of, with findings on PHI-scoped resources weighing ``weight`` times more."""
    passed = total = 0.0
    judged = ("pass", "fail", "waived", "unknown", "error")
    for summary in summaries:
        base = WEIGHTS[summary.rule.severity]
        phi = summary.phi_counts or {}
        for status in judged:
            in_scope = phi.get(status, 0)
            value = base * ((summary.counts[status] - in_scope) + weight * in_scope)
            total += value
            if status == "pass":
                passed += value
    weighted = round(100.0 * passed / total, 1) if total else None
    return Score(key, title, weighted, round(passed), round(total), add_counts(s.counts for s in summaries))


def combine_with_attestation(
    automated: ItemStatus,
    needs_attestation: bool,
    attestation: Attestation | None,
    today: date,
    *,
    decided_by_attestation: bool = False,
) -> ItemStatus:
    """An item's status from its rules' status and its attestation.

    Where no attestation is needed, an attestation is shown but decides
    nothing. Where one is needed, a missing one leaves the item needing it,
    an expired one (or one dated after the scan) makes it not met, and a
    valid one combines with the rules: the worse of the two, where rules
    that could not be judged keep it from being fully met."""
    if not needs_attestation:
        return automated
    if attestation is None:
        if decided_by_attestation or automated in (ItemStatus.MET, ItemStatus.NO_RESOURCES):
            return ItemStatus.NEEDS_ATTESTATION
        return automated
    if attestation.state(today) is not AttestationState.VALID:
        return ItemStatus.NOT_MET
    attested = ItemStatus(attestation.status)
    if decided_by_attestation:
        return attested
    if ItemStatus.NOT_MET in (attested, automated):
        return ItemStatus.NOT_MET
    if attested is ItemStatus.NOT_APPLICABLE:
        return ItemStatus.NOT_APPLICABLE if automated in (ItemStatus.MET, ItemStatus.NO_RESOURCES) else automated
    if attested is ItemStatus.PARTIALLY_MET or automated in (ItemStatus.PARTIALLY_MET, ItemStatus.NOT_ASSESSED):
        return ItemStatus.PARTIALLY_MET
    return ItemStatus.MET


def item_status(control: Control, has_rules: bool, counts: Mapping[str, int]) -> ItemStatus:
    if not has_rules:
        return ItemStatus.NOT_ASSESSED if control.evidence is Evidence.AUTOMATED else ItemStatus.NEEDS_ATTESTATION
    # A waiver accepts a risk; it does not make the specification met.
    passed, failed = counts["pass"], counts["fail"] + counts["waived"]
    unclear = counts["unknown"] + counts["error"]
    if failed:
        return ItemStatus.PARTIALLY_MET if passed else ItemStatus.NOT_MET
    if unclear:
        return ItemStatus.PARTIALLY_MET if passed else ItemStatus.NOT_ASSESSED
    if passed:
        return ItemStatus.MET
    return ItemStatus.NO_RESOURCES


def assess(
    catalogue: Catalogue,
    rules: Sequence[Rule],
    findings: Sequence[Finding],
    *,
    attestations: Attestations = NONE,
    today: date | None = None,
    phi_resources: frozenset[str] = frozenset(),
    phi_weight: float = 2.0,
) -> Assessment:
    """Counts are aggregated per rule once; checklist items and scores are
    sums over rules, so the cost does not grow with controls x findings.
    ``today`` dates the attestations (required when there are any);
    ``phi_resources`` (lower-cased ids) adds the PHI-weighted scores."""
    # One pass, no per-finding attribute of the enum: Status is a str, and
    # Counter over (rule id, status) pairs runs in C.
    pairs = Counter(zip(map(attrgetter("rule_id"), findings), map(attrgetter("status"), findings), strict=True))
    by_rule: dict[str, dict[str, int]] = {r.id: empty_counts() for r in rules}
    for (rule_id, status), count in pairs.items():
        by_rule.setdefault(rule_id, empty_counts())[str(status)] += count
    phi_by_rule: dict[str, dict[str, int]] | None = None
    if phi_resources:
        phi_by_rule = {r.id: empty_counts() for r in rules}
        for f in findings:
            if f.resource_id.lower() in phi_resources:
                phi_by_rule.setdefault(f.rule_id, empty_counts())[str(f.status)] += 1
    summaries = tuple(
        RuleSummary(r, by_rule[r.id], phi_by_rule[r.id] if phi_by_rule is not None else None) for r in rules
    )
    if attestations.by_key and today is None:
        raise ValueError("attestations are dated against the scan day: pass today")
    day = today or date.min

    items = []
    for control in catalogue.controls:
        covered = set(catalogue.descendants(control.citation))
        mapped = tuple(s for s in summaries if covered.intersection(s.rule.citations))
        counts = add_counts(s.counts for s in mapped)
        automated = item_status(control, bool(mapped), counts)
        needs = control.evidence is not Evidence.AUTOMATED
        attestation = attestations.get(control.citation)
        items.append(
            ChecklistItem(
                control=control,
                status=combine_with_attestation(
                    automated,
                    needs,
                    attestation,
                    day,
                    # Rules that cite it still count: failing evidence is never hidden behind a missing attestation.
                    decided_by_attestation=not mapped,
                ),
                rules=mapped,
                counts=counts,
                needs_attestation=needs,
                automated_status=automated,
                attestation=attestation,
            )
        )
    by_safeguard = {
        section: [s for s in summaries if any(c.startswith(section) for c in s.rule.citations)]
        for section in SAFEGUARDS
    }
    safeguards = tuple(score_of(section, SAFEGUARDS[section], members) for section, members in by_safeguard.items())
    weighted = None
    if phi_resources:
        weighted = PhiWeighted(
            phi_weight,
            phi_weighted_score("overall", "Overall", summaries, phi_weight),
            tuple(
                phi_weighted_score(section, SAFEGUARDS[section], members, phi_weight)
                for section, members in by_safeguard.items()
            ),
        )
    return Assessment(
        items=tuple(items),
        safeguards=safeguards,
        overall=score_of("overall", "Overall", summaries),
        rules=summaries,
        phi_weighted=weighted,
    )


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a report needs, with every time fixed by the caller."""

    tool_version: str
    rule_pack_version: str
    rule_pack_sha256: str
    rules: tuple[Rule, ...]
    snapshot: Snapshot
    findings: tuple[Finding, ...]
    assessment: Assessment
    scanned_at: datetime
    settings: Settings
    fail_on: Severity | None
    # The resources the findings are about, in the findings' order (from
    # engine.evaluate); empty when a caller builds a result by hand, and the
    # JSON report then derives them from the findings.
    resources: tuple[Resource, ...] = ()
    # The organization's choices and attestations the report shows beside the findings.
    attestations: Attestations = NONE
    policy_record: Mapping[str, Any] | None = None
    profile: Profile | None = None
    phi_resources: frozenset[str] = frozenset()
    # The rule packs loaded with --rules-dir, as manifest.rule_pack.custom lists them.
    custom_packs: tuple[Mapping[str, Any], ...] = ()
    shipped_sha256: str = ""

    def gate_failures(self) -> tuple[Finding, ...]:
        """Failing findings at or above the gate severity."""
        if self.fail_on is None:
            return ()
        floor = self.fail_on.rank
        severity = {r.id: r.severity for r in self.rules}
        return tuple(f for f in self.findings if f.status is Status.FAIL and severity[f.rule_id].rank >= floor)

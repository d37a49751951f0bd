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
from datetime import datetime
from operator import attrgetter

from hipaa_scan.controls import SAFEGUARDS, Catalogue, Control, Evidence
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


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    control: Control
    status: ItemStatus
    rules: tuple[RuleSummary, ...]
    counts: Mapping[str, int]
    needs_attestation: bool


@dataclass(frozen=True, slots=True)
class Assessment:
    items: tuple[ChecklistItem, ...]
    safeguards: tuple[Score, ...]
    overall: Score
    rules: tuple[RuleSummary, ...]


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


def assess(catalogue: Catalogue, rules: Sequence[Rule], findings: Sequence[Finding]) -> Assessment:
    """Counts are aggregated per rule once; checklist items and scores are
    sums over rules, so the cost does not grow with controls x findings."""
    # One pass, no per-finding attribute of the enum: Status is a str, and
    # Counter over (rule id, status) pairs runs in C.
    pairs = Counter(zip(map(attrgetter("rule_id"), findings), map(attrgetter("status"), findings), strict=True))
    by_rule: dict[str, dict[str, int]] = {r.id: empty_counts() for r in rules}
    for (rule_id, status), count in pairs.items():
        by_rule.setdefault(rule_id, empty_counts())[str(status)] += count
    summaries = tuple(RuleSummary(r, by_rule[r.id]) for r in rules)

    items = []
    for control in catalogue.controls:
        covered = set(catalogue.descendants(control.citation))
        mapped = tuple(s for s in summaries if covered.intersection(s.rule.citations))
        counts = add_counts(s.counts for s in mapped)
        items.append(
            ChecklistItem(
                control=control,
                status=item_status(control, bool(mapped), counts),
                rules=mapped,
                counts=counts,
                needs_attestation=control.evidence is not Evidence.AUTOMATED,
            )
        )
    safeguards = tuple(
        score_of(section, title, [s for s in summaries if any(c.startswith(section) for c in s.rule.citations)])
        for section, title in SAFEGUARDS.items()
    )
    return Assessment(
        items=tuple(items),
        safeguards=safeguards,
        overall=score_of("overall", "Overall", summaries),
        rules=summaries,
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

    def gate_failures(self) -> tuple[Finding, ...]:
        """Failing findings at or above the gate severity."""
        if self.fail_on is None:
            return ()
        floor = self.fail_on.rank
        severity = {r.id: r.severity for r in self.rules}
        return tuple(f for f in self.findings if f.status is Status.FAIL and severity[f.rule_id].rank >= floor)

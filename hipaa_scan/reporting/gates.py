"""CI gates: what makes a scan fail a build, each one named and explained.

A team adopting the scanner on a real estate needs more than "fail on any
high finding": a minimum score overall or per safeguard, a gate on the
specifications it must never regress on, and a baseline so that only
findings new since an accepted scan fail the build. Gates judge a ReportView,
so they read the same whether the results come from the scan that just ran or
from its JSON report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hipaa_scan.controls import SAFEGUARDS
from hipaa_scan.errors import ConfigError
from hipaa_scan.model import Severity
from hipaa_scan.reporting.view import ReportView

OVERALL = "overall"
SECTIONS = tuple(SAFEGUARDS)
_CITATION = re.compile(r"^164\.3(08|10|12|14|16)(\([a-z0-9]+\))*$")


@dataclass(frozen=True)
class MinScore:
    key: str  # "overall" or a section such as "164.312"
    minimum: float

    @property
    def option(self) -> str:
        return f"--min-score {self.minimum:g}" if self.key == OVERALL else f"--min-score {self.key}={self.minimum:g}"


@dataclass(frozen=True)
class GatePolicy:
    """The gates a scan is held to. ``baseline`` holds the (rule id,
    lower-cased resource id) of the findings that failed in the baseline
    scan; with ``new_only`` the finding gates count only findings not in it."""

    fail_on: Severity | None = None
    min_scores: tuple[MinScore, ...] = ()
    citations: tuple[str, ...] = ()
    baseline: frozenset[tuple[str, str]] | None = None
    new_only: bool = False


@dataclass(frozen=True)
class GateResult:
    gate: str  # as the option was given: "--fail-on high", "--gate 164.312(b)"
    passed: bool
    detail: str
    findings: tuple[tuple[str, str], ...] = ()  # (rule id, resource id) of the failing findings that broke it


def parse_min_score(text: str) -> MinScore:
    """``80`` (overall) or ``164.312=80`` (one safeguard)."""
    key, _, value = text.rpartition("=")
    key = key.strip() or OVERALL
    if key not in (OVERALL, *SECTIONS):
        raise ConfigError(f"--min-score {text!r}: the key is one of {', '.join(SECTIONS)} (or none, for overall)")
    try:
        minimum = float(value)
    except ValueError:
        minimum = -1.0
    if not 0 <= minimum <= 100:
        raise ConfigError(f"--min-score {text!r}: the score is a number from 0 to 100")
    return MinScore(key, minimum)


def parse_citation(text: str) -> str:
    citation = text.strip()
    if not _CITATION.match(citation):
        raise ConfigError(f"--gate {text!r}: expected a Security Rule citation such as 164.312(b) or 164.308(a)(1)")
    return citation


def failing_keys(view: ReportView) -> frozenset[tuple[str, str]]:
    """The findings that failed in a (baseline) scan, by rule and resource.
    Resource ids compare case-insensitively, as ARM ids do."""
    return frozenset((f["rule_id"], str(f["resource_id"]).lower()) for f in view.findings if f["status"] == "fail")


def view_findings(view: ReportView) -> Iterator[tuple[str, str, str]]:
    """A ReportView's findings as evaluate_gates reads them."""
    return ((f["rule_id"], f["resource_id"], f["status"]) for f in view.findings)


def evaluate_gates(
    checklist: Mapping[str, Any], findings: Iterable[tuple[str, str, str]], policy: GatePolicy
) -> list[GateResult]:
    """Every gate of the policy. ``checklist`` is the report's; ``findings``
    yields (rule id, resource id, status) for each finding, so the gates read
    a scan's findings where they are, without a copy of them."""
    if policy.fail_on is None and not policy.citations and not policy.min_scores:
        return []
    failing = [(rule_id, rid) for rule_id, rid, status in findings if status == "fail"]
    scope = ""
    if policy.new_only and policy.baseline is not None:
        failing = [(rule_id, rid) for rule_id, rid in failing if (rule_id, rid.lower()) not in policy.baseline]
        scope = " new since the baseline"
    rules = {r["rule_id"]: r for r in checklist["rules"]}
    results: list[GateResult] = []
    if policy.fail_on is not None:
        floor = policy.fail_on.rank
        hits = tuple(f for f in failing if Severity(rules[f[0]]["severity"]).rank >= floor)
        detail = f"{_count(hits)}{scope} at {policy.fail_on.value} severity or above"
        results.append(GateResult(f"--fail-on {policy.fail_on.value}", not hits, detail, hits))
    for citation in policy.citations:
        citing = {rid for rid, rule in rules.items() if any(_within(c, citation) for c in rule["citations"])}
        hits = tuple(f for f in failing if f[0] in citing)
        detail = f"{_count(hits)}{scope} of rules citing {citation}"
        if not citing:
            detail = f"no rule cites {citation}, so nothing can show it is met"
        results.append(GateResult(f"--gate {citation}", bool(citing) and not hits, detail, hits))
    scores = {OVERALL: checklist["overall"], **{s["key"]: s for s in checklist["safeguards"]}}
    for wanted in policy.min_scores:
        score = scores[wanted.key]["score"]
        if score is None:
            # No automated rule scores this safeguard: unknown is never pass.
            results.append(GateResult(wanted.option, False, f"{wanted.key} has no score (n/a)"))
            continue
        verdict = "at or above" if score >= wanted.minimum else "below"
        detail = f"{wanted.key} scored {score:g}, {verdict} {wanted.minimum:g}"
        results.append(GateResult(wanted.option, score >= wanted.minimum, detail))
    return results


def _count(hits: Sequence[object]) -> str:
    return f"{len(hits):,} failing finding{'' if len(hits) == 1 else 's'}"


def _within(citation: str, gate: str) -> bool:
    """164.312(a)(2)(iv) is within 164.312(a) and 164.312; 164.312(b) is not within 164.312(a)."""
    return citation == gate or citation.startswith(gate + "(")


def failed(results: Sequence[GateResult]) -> list[GateResult]:
    return [r for r in results if not r.passed]


# How many of the findings that broke a gate its record names (all are in the findings).
RECORDED_EXAMPLES = 10


def gate_records(results: Sequence[GateResult]) -> list[dict[str, object]]:
    """The gates as the JSON report's manifest records them, each with the
    first findings that broke it, so every report can name them."""
    return [
        {
            "gate": r.gate,
            "passed": r.passed,
            "detail": r.detail,
            "failing": len(r.findings),
            "examples": [{"rule_id": rule_id, "resource_id": rid} for rule_id, rid in r.findings[:RECORDED_EXAMPLES]],
        }
        for r in results
    ]

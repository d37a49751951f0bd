"""Rich renderables for the terminal. They are returned, not printed: only
the CLI writes to the console."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from hipaa_scan.model import Resource
from hipaa_scan.reporting.gates import GateResult
from hipaa_scan.reporting.view import AttestationSummary, status_counts, status_label

STATUS_STYLE = {
    "pass": "green",
    "met": "green",
    "fail": "red",
    "not_met": "red",
    "partially_met": "dark_orange",
    "unknown": "yellow",
    "not_assessed": "yellow",
    "error": "magenta",
    "waived": "cyan",
    "not_applicable": "dim",
    "no_resources_in_scope": "dim",
    "needs_attestation": "blue",
}


STATUS_COLUMNS = ("pass", "fail", "waived", "unknown", "error", "not_applicable")


def _score_text(score: float | None) -> Text:
    if score is None:
        return Text("n/a", style="dim")
    style = "green" if score >= 90 else "dark_orange" if score >= 70 else "red"
    return Text(f"{score:.1f}%", style=style)


def summary_renderable(document: dict[str, Any]) -> RenderableType:
    checklist = document["checklist"]
    scores = Table(title="HIPAA Security Rule – scores", title_justify="left")
    scores.add_column("Safeguard")
    scores.add_column("Score", justify="right")
    for name in STATUS_COLUMNS:
        scores.add_column(name, justify="right", style=STATUS_STYLE[name])
    for score in [*checklist["safeguards"], checklist["overall"]]:
        counts = score["counts"]
        scores.add_row(
            f"{score['title']} ({score['key']})" if score["key"] != "overall" else Text("Overall", style="bold"),
            _score_text(score["score"]),
            *(str(counts[s]) for s in STATUS_COLUMNS),
        )
    statuses: dict[str, int] = {}
    for item in checklist["items"]:
        statuses[item["status"]] = statuses.get(item["status"], 0) + 1
    items = Text("Checklist: ")
    for status, count in sorted(statuses.items()):
        items.append(f"{status.replace('_', ' ')} {count}  ", style=STATUS_STYLE.get(status, ""))
    lines: list[RenderableType] = [scores, items]
    if (weighted := checklist.get("phi_weighted")) is not None:
        lines.append(_phi_line(document, weighted))
    if (architecture := document.get("architecture")) is not None:
        lines.append(_counts_line("Reference architecture", architecture["items"]))
    if (readiness := document.get("readiness")) is not None:
        lines.append(_counts_line(f"Readiness ({readiness['profile']})", readiness["items"]))
    attestations = AttestationSummary.of(document["manifest"], checklist, architecture, readiness)
    if attestations.file is not None:
        lines.append(_attestations_line(attestations))
    return Group(*lines)


def _counts_line(title: str, items: Sequence[Mapping[str, Any]]) -> Text:
    """One line of counts, such as "Reference architecture: 3 met, 9 partially met, 8 not met"."""
    line = Text(f"{title}: ")
    counts = status_counts(items)
    for n, (status, count) in enumerate(counts):
        line.append(f"{count} {status_label(status)}", style=STATUS_STYLE.get(status, ""))
        if n < len(counts) - 1:
            line.append(", ")
    return line


def _phi_line(document: Mapping[str, Any], weighted: Mapping[str, Any]) -> Text:
    # The resources of the report's table that are in scope, as every report counts them.
    phi: frozenset[str] = document.get("phi_resources") or frozenset()
    resources: Sequence[Resource] = document.get("resources") or ()
    in_scope = sum(1 for r in resources if r.key in phi)
    line = Text("PHI-weighted score: ")
    line.append_text(_score_text(weighted["overall"]["score"]))
    line.append(
        f" (findings on resources in the PHI scope, {in_scope} of the resources with findings, weigh "
        f"{weighted['weight']:g}×; gates judge the unweighted score)"
    )
    return line


def _attestations_line(summary: AttestationSummary) -> Text:
    file = summary.file or {}
    line = Text(
        f"Attestations: {file.get('entries', 0)} entries in {file.get('path', '')}, "
        f"{len(summary.attested)} on items in this report: "
    )
    states = summary.states
    line.append(f"{states['valid']} valid", style="green")
    for state, label in (("expired", "expired"), ("not_yet_valid", "not yet valid")):
        if keys := summary.in_state(state):
            line.append(f", {len(keys)} {label} ({', '.join(keys)})", style="red")
    return line


def failures_renderable(document: dict[str, Any], limit: int = 15) -> RenderableType:
    """The worst failing rules, most failures first."""
    rules = [r for r in document["checklist"]["rules"] if r["counts"]["fail"]]
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    rules.sort(key=lambda r: (order[r["severity"]], -r["counts"]["fail"], r["rule_id"]))
    table = Table(title="Failing rules", title_justify="left")
    table.add_column("Rule")
    table.add_column("Severity")
    table.add_column("Fails", justify="right")
    table.add_column("Title")
    for r in rules[:limit]:
        table.add_row(r["rule_id"], r["severity"], str(r["counts"]["fail"]), r["title"])
    if len(rules) > limit:
        table.caption = f"{len(rules) - limit} more failing rules in the report"
    return table


def rules_table(rules: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{len(rules)} rules")
    table.add_column("Id")
    table.add_column("Severity")
    table.add_column("Title")
    table.add_column("Citations")
    for r in rules:
        table.add_row(r["rule_id"], r["severity"], r["title"], ", ".join(r["citations"]))
    return table


def controls_table(items: list[dict[str, Any]]) -> Table:
    table = Table(title="HIPAA Security Rule implementation checklist")
    table.add_column("Citation")
    table.add_column("Name")
    table.add_column("R/A")
    table.add_column("Evidence")
    table.add_column("Rules")
    table.add_column("Attestation")
    for item in items:
        name = item["name"] if item["kind"] != "standard" else Text(item["name"], style="bold")
        table.add_row(
            item["citation"],
            name,
            item["designation"][:1],
            item["evidence"],
            ", ".join(item["rules"]) or "-",
            attestation_requirement(item),
        )
    return table


def attestation_requirement(item: dict[str, Any]) -> str:
    """What a specification asks of a compliance officer, for `hipaa-scan controls`."""
    if not item["needs_attestation"]:
        return "-"
    when = "required" if item["evidence"] == "attestation" or not item["rules"] else "also required"
    return f"{when}: {item['attestation_guidance']}" if item["attestation_guidance"] else when


def gaps_renderable(document: dict[str, Any], limit: int = 20) -> RenderableType:
    """What the collector could not read: the reason some findings are unknown."""
    gaps = document["manifest"]["coverage_gaps"]
    if not gaps:
        return Text("Coverage: no gaps recorded", style="green")
    table = Table(title=f"Coverage gaps ({len(gaps)}): findings depending on these are unknown", title_justify="left")
    for column in ("Scope", "API", "Status", "Message"):
        table.add_column(column)
    for gap in gaps[:limit]:
        table.add_row(gap["scope"], gap["api"], str(gap["status"]), gap["message"])
    if len(gaps) > limit:
        table.caption = f"{len(gaps) - limit} more in the JSON report"
    return table


def gates_renderable(gates: Sequence[GateResult], examples: int = 10) -> RenderableType:
    """Each gate, passed or failed, then the findings that broke each failed
    one, one per line and never cut, so a CI log names them in full."""
    if not gates:
        return Text("Gates: none (no --fail-on, --gate or --min-score)", style="dim")
    table = Table(title="Gates", title_justify="left")
    table.add_column("Gate")
    table.add_column("Result")
    table.add_column("Why")
    for gate in gates:
        verdict = Text("passed", style="green") if gate.passed else Text("FAILED", style="bold red")
        table.add_row(gate.gate, verdict, gate.detail)
    parts: list[RenderableType] = [table]
    for gate in gates:
        if gate.passed or not gate.findings:
            continue
        lines = Text(f"{gate.gate} failed on:", style="bold red")
        for rule_id, resource_id in gate.findings[:examples]:
            lines.append(f"\n  {rule_id}  {resource_id}", style="red")
        if len(gate.findings) > examples:
            lines.append(f"\n  ... and {len(gate.findings) - examples:,} more in the reports", style="dim")
        parts.append(lines)
    return Group(*parts)

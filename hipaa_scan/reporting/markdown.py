"""A Markdown summary of a scan for places that show a page of text beside a
pipeline: GitHub's job summary ($GITHUB_STEP_SUMMARY) and pull-request or
merge-request comments.

It is a summary, not the report: scores (and the PHI-weighted scores, with
a PHI scope), counts, the gate, attestations, the reference architecture's
checklist, a proposed rule's readiness (with ``--profile``), and the failing
rules most worth fixing first, with a link to the full report. It always
fits in ``limit`` bytes, whatever the size of the estate: GitHub refuses a
step summary over 1 MiB and a comment over 65,536 characters, and a summary
that is refused shows nothing at all. Only the list of failing rules grows
with the estate, so it comes last and is cut at a row, with a line saying
how many rules were left out. The checklists are bounded by the catalogue
(about 15 kB together); under a limit too small for them (a caller's choice,
never the default) each shrinks to one line of counts.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from hipaa_scan.model import Severity, Status
from hipaa_scan.reporting.view import ReportView, clip, group_label, status_counts, status_label
from hipaa_scan.scoring import ItemStatus

# The statuses in the order every table shows them.
_STATUSES = (Status.PASS, Status.FAIL, Status.WAIVED, Status.UNKNOWN, Status.ERROR, Status.NOT_APPLICABLE)

# Example resource ids per failing rule, and the longest id shown whole: a
# row must stay small enough that many rules fit, even if one resource has a
# pathological name.
_EXAMPLES = 3
_EXAMPLE_CHARS = 200

# Line breaks and other control characters end a table row or render
# unpredictably; inside a cell they become spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
# Characters with inline meaning in GitHub Markdown (code, emphasis, links,
# HTML, tables, strikethrough, entities). CommonMark lets any ASCII
# punctuation be escaped with a backslash.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
_BACKTICKS = re.compile(r"`+")

_TABLE_HEAD = "| Rule | Severity | Title | Failing | Citations | Examples |\n|---|---|---|---:|---|---|\n"

# An attestation's owner comes from a hand-written file: a cell stays a cell.
_OWNER_CHARS = 80
# How the architecture checklist names its evidence kinds.
_EVIDENCE = {
    "automated": "automated",
    "automated_graph": "automated (Microsoft Graph)",
    "partial": "partly automated",
    "attestation": "attestation",
}


def render_markdown(view: ReportView, *, report_link: str | None = None, limit: int = 65_000) -> bytes:
    """The summary as UTF-8 Markdown of at most ``limit`` bytes.

    ``report_link`` is where the full report can be read (a CI artifact or
    a Pages URL). Raises ValueError if even the summary without any failing
    rule does not fit in ``limit``, which only a caller's tiny limit can cause:
    that part does not grow with the estate.
    """
    # "replace": a lone surrogate (which JSON can spell) has no UTF-8 form.
    head = _head(view, report_link).encode("utf-8", "replace")
    rows = [_row(rule, fails, examples).encode("utf-8", "replace") for rule, fails, examples in _failing_rules(view)]
    if not rows:
        body = b"## Top failures\n\nNo finding failed.\n"
        head += _checklists(view, limit - len(head) - len(body))
        if len(head) + len(body) > limit:
            raise ValueError(f"a Markdown summary needs {len(head) + len(body)} bytes; the limit is {limit}")
        return head + body

    table = b"## Top failures\n\n" + _TABLE_HEAD.encode("utf-8")
    # Room for the note at its longest (every rule left out), so that adding
    # a row can never push the note past the limit.
    head += _checklists(view, limit - len(head) - len(table) - len(_left_out(len(rows), limit)))
    fixed = len(head) + len(table) + len(_left_out(len(rows), limit))
    if fixed > limit:
        raise ValueError(f"a Markdown summary needs at least {fixed} bytes; the limit is {limit}")
    room = limit - fixed
    kept = 0
    for row in rows:
        if len(row) > room:
            break
        room -= len(row)
        kept += 1
    note = _left_out(len(rows) - kept, limit) if kept < len(rows) else b""
    return head + table + b"".join(rows[:kept]) + note


def _left_out(count: int, limit: int) -> bytes:
    return (
        f"\n{count} more failing rule{'s' if count != 1 else ''} left out to keep this summary "
        f"under {limit:,} bytes; the full report lists every finding.\n"
    ).encode()


def _head(view: ReportView, report_link: str | None) -> str:
    """Everything before the checklists: title, scores, counts, gate, gaps,
    attestations. Its size does not depend on the number of resources or
    findings."""
    manifest, checklist = view.manifest, view.checklist
    weighted = view.phi_weighted
    lines = [f"# HIPAA Security Rule scan: {_score(checklist['overall']['score'])} overall", ""]
    scope = manifest["scope"]
    facts = [
        f"{manifest['tool']['name']} {manifest['tool']['version']}",
        f"rule pack {manifest['rule_pack']['version']}",
        f"scanned {manifest['scanned_at']}",
        f"{scope['resources']:,} resources in {len(scope['subscriptions']):,} subscriptions",
    ]
    lines.append(_text(" · ".join(facts)))
    if report_link is not None:
        lines += ["", f"[Full report]({_url(report_link)})"]

    # With a PHI scope, each score has its PHI-weighted one beside it.
    phi_scores = {s["key"]: s["score"] for s in [*weighted["safeguards"], weighted["overall"]]} if weighted else None
    phi_column = ("| PHI-weighted ", "---:|") if phi_scores is not None else ("", "")
    lines += ["", "| Safeguard | Score " + phi_column[0] + "| " + " | ".join(_label(s) for s in _STATUSES) + " |"]
    lines.append("|---|---:|" + phi_column[1] + "---:|" * len(_STATUSES))
    for score in [*checklist["safeguards"], checklist["overall"]]:
        name = "**Overall**" if score["key"] == "overall" else _text(f"{score['title']} ({score['key']})")
        counts = score["counts"]
        cells = [name, _score(score["score"])]
        if phi_scores is not None:
            cells.append(_score(phi_scores.get(score["key"])))
        lines.append("| " + " | ".join(cells) + " | " + " | ".join(f"{counts[s]:,}" for s in _STATUSES) + " |")

    counts = Counter(f["status"] for f in view.findings)
    by_status = ", ".join(f"{counts[s]:,} {_label(s).lower()}" for s in _STATUSES)
    lines += [
        "",
        f"**Findings:** {len(view.findings):,} ({by_status}). Unknown and error are never counted as compliant.",
        "",
    ]
    if weighted:
        lines += [_phi(view, weighted), ""]
    lines += [
        _gate(view),
        "",
        _since(view),
        "",
        _gaps(manifest["coverage_gaps"]),
        "",
        _attestations(view),
        "",
        "",
    ]
    return "\n".join(lines)


def _phi(view: ReportView, weighted: Mapping[str, Any]) -> str:
    """The PHI-weighted score, and what it weighs (checklist.phi_weighted)."""
    in_scope = view.phi_resources
    failing = sum(1 for f in view.findings if f["status"] == Status.FAIL and f["resource_id"].lower() in in_scope)
    return (
        f"**PHI-weighted score:** {_score(weighted['overall']['score'])} overall. Findings on resources in the "
        f"PHI scope ({len(in_scope):,} of the resources with findings) weigh {weighted['weight']:g}×; "
        f"{failing:,} of those findings fail. Gates judge the unweighted score."
    )


def _attestations(view: ReportView) -> str:
    """What the attestations file covered, which attestations no longer hold,
    and what still waits for one."""
    summary = view.attestations
    needed = summary.needed
    parts = [f"{needed['specifications']:,} specification{'s' if needed['specifications'] != 1 else ''}"]
    if view.architecture is not None:
        parts.append(f"{needed['architecture']:,} architecture item{'s' if needed['architecture'] != 1 else ''}")
    if view.readiness is not None:
        parts.append(f"{needed['readiness']:,} readiness requirement{'s' if needed['readiness'] != 1 else ''}")
    still = f"Still to attest: {', '.join(parts)}."
    if summary.file is None:
        return f"**Attestations:** none given (`--attestations FILE`). {still}"
    states = summary.states
    shown = [f"{states['valid']:,} valid"]
    for state, label in (("expired", "expired"), ("not_yet_valid", "not yet valid")):
        if keys := summary.in_state(state):
            shown.append(f"{len(keys):,} {label} ({_text(', '.join(keys))})")
    return (
        f"**Attestations:** {summary.file['entries']:,} entries in {_code(clip(str(summary.file['path']), 200))}, "
        f"{len(summary.attested):,} on items in this report: {', '.join(shown)}. "
        f"An expired or not yet valid attestation makes its item not met. {still}"
    )


def _checklists(view: ReportView, room: int) -> bytes:
    """The reference architecture's checklist and the readiness view, whole
    if they fit in ``room`` bytes, else as one line of counts each."""
    whole = (_architecture(view, short=False) + _readiness(view, short=False)).encode("utf-8", "replace")
    if len(whole) <= room:
        return whole
    return (_architecture(view, short=True) + _readiness(view, short=True)).encode("utf-8", "replace")


def _counts(items: Sequence[Mapping[str, Any]], noun: str) -> str:
    by_status = ", ".join(f"{n:,} {status_label(s)}" for s, n in status_counts(items))
    return f"{len(items):,} {noun}{'s' if len(items) != 1 else ''}" + (f": {by_status}" if by_status else "")


def _architecture(view: ReportView, *, short: bool) -> str:
    """The reference architecture's implementation checklist (the report's
    architecture section): one row per item."""
    section = view.architecture
    if section is None:
        return ""
    items = section["items"]
    lines = ["## Reference architecture checklist", "", f"{_text(section['source'])}. {_counts(items, 'item')}."]
    if short:
        lines[-1] += " The full report lists them."
        return "\n".join(lines) + "\n\n"
    lines += [
        "",
        "| Item | Evidence | Status | Required checks failing | Required checks unknown | Attestation |",
        "|---|---|---|---|---|---|",
    ]
    for item in items:
        required = item["required"]
        failing = [group_label(g["rules"]) for g in required if g["status"] == "fail"]
        unknown = [group_label(g["rules"]) for g in required if g["status"] == "unknown"]
        missing = [group_label(g["rules"]) for g in required if g["status"] == "not_implemented"]
        undecided = ", ".join(unknown)
        if missing:
            undecided += ("; " if undecided else "") + "no rule yet: " + ", ".join(missing)
        cells = [
            _text(f"{item['id']} {item['title']}"),
            _text(_EVIDENCE.get(item["evidence"], item["evidence"])),
            _status(item["status"]),
            _text(", ".join(failing)) or "–",
            _text(undecided) or "–",
            _attestation(item),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n"


def _readiness(view: ReportView, *, short: bool) -> str:
    """A proposed rule's readiness view (the report's readiness section, with --profile)."""
    section = view.readiness
    if section is None:
        return ""
    items = section["items"]
    lines = [
        "## Proposed rule readiness",
        "",
        f"**{_text(section['title'])}** (profile {_code(section['profile'])}). {_text(section['note'])} "
        f"{_counts(items, 'requirement')}.",
    ]
    if short:
        lines[-1] += " The full report lists them."
        return "\n".join(lines) + "\n\n"
    lines += ["", "| Requirement | Status | Why | Attestation |", "|---|---|---|---|"]
    for item in items:
        cells = [
            _text(f"{item['id']} {item['title']}"),
            _status(item["status"]),
            _text(item["reason"]) or "–",
            _attestation(item),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n"


def _status(status: str) -> str:
    label = status_label(status).capitalize()
    return f"**{label}**" if status == ItemStatus.NOT_MET else label


def _attestation(item: Mapping[str, Any]) -> str:
    """Who attested an item and until when; "none" where it takes one and has none."""
    record = item.get("attestation")
    if not record:
        wanted = item["status"] == ItemStatus.NEEDS_ATTESTATION or item.get("attestation_guidance")
        return "none" if wanted else "–"
    owner = clip(record["owner"], _OWNER_CHARS) or "no owner"
    text = f"{status_label(record['status'])}, {owner}"
    match record["state"]:
        case "valid":
            text += f", until {record['expires']}" if record["expires"] else ", no expiry"
        case "expired":
            return _text(text) + f", **expired** {_text(str(record['expires']))}"
        case _:
            text += f", dated {record['date']}: not yet valid"
    return _text(text)


def _gate(view: ReportView) -> str:
    """Each gate the scan was held to, and which failed (manifest.gates)."""
    gates = view.manifest.get("gates") or []
    if not gates:
        return "**Gates:** none (no `--fail-on`, `--gate` or `--min-score` was given)."
    broken = [g for g in gates if not g["passed"]]
    lines = [f"**Gates:** {'failed' if broken else 'passed'} ({len(gates) - len(broken)} of {len(gates)} passed)", ""]
    for g in gates:
        mark = "passed" if g["passed"] else "**FAILED**"
        lines.append(f"- `{_text(g['gate'])}` {mark}: {_text(g['detail'])}")
        for example in g.get("examples", []):
            lines.append(f"  - {_text(example['rule_id'])} {_code(clip(example['resource_id'], 200))}")
        if g["failing"] > len(g.get("examples", [])):
            lines.append(f"  - and {g['failing'] - len(g['examples']):,} more in the full report")
    return "\n".join(lines)


def _since(view: ReportView) -> str:
    """The change since the previous scan of the same scope (with --history)."""
    previous = view.manifest.get("previous")
    if not previous:
        return "**Since the previous scan:** no earlier scan of this scope recorded."
    return (
        f"**Since the previous scan** (history id {previous['scan_id']}, {_text(str(previous['scanned_at']))}): "
        f"{previous['new']:,} new failing, {previous['resolved']:,} resolved, {previous['changed']:,} other changes."
    )


def _gaps(gaps: Sequence[Mapping[str, Any]]) -> str:
    if not gaps:
        return "**Coverage gaps:** none recorded."
    return (
        f"**Coverage gaps:** {len(gaps):,} (APIs the collector could not read; "
        "findings that depend on them are unknown)."
    )


def _failing_rules(view: ReportView) -> list[tuple[Mapping[str, Any], int, list[str]]]:
    """(rule, failing findings, example resource ids) for each rule with a
    failing finding: most severe first, then most failures, then rule id."""
    fails: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for finding in view.findings:
        if finding["status"] == Status.FAIL:
            rule_id = finding["rule_id"]
            fails[rule_id] += 1
            shown = examples.setdefault(rule_id, [])
            if len(shown) < _EXAMPLES:
                shown.append(finding["resource_id"])
    rules = view.rules
    order = sorted(fails, key=lambda r: (-Severity(rules[r]["severity"]).rank, -fails[r], r))
    return [(rules[r], fails[r], examples[r]) for r in order]


def _row(rule: Mapping[str, Any], fails: int, examples: list[str]) -> str:
    cells = [
        _text(rule["rule_id"]),
        _text(rule["severity"]),
        _text(rule["title"]),
        f"{fails:,}",
        _text(", ".join(rule["citations"])),
        "<br>".join(_code(clip(e, _EXAMPLE_CHARS)) for e in examples),
    ]
    return "| " + " | ".join(cells) + " |\n"


def _label(status: Status) -> str:
    return status.value.replace("_", " ").capitalize()


def _score(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.1f}%"


def _text(text: str) -> str:
    """Plain text for a table cell or a line: nothing in it is read as
    Markdown, HTML or a row break."""
    return _INLINE.sub(r"\\\1", _CONTROL.sub(" ", text))


def _code(text: str) -> str:
    """Data from the estate (a resource id) as a code span in a table cell,
    shown exactly: no Markdown, HTML, @mention or #reference is read inside
    a code span. The fence is longer than any run of backticks in the text
    and padded with a space each side, which CommonMark strips again. A pipe
    is escaped even so: GitHub splits table cells before it reads code spans,
    and removes the backslash before a pipe when it does."""
    text = _CONTROL.sub(" ", text).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _url(link: str) -> str:
    """A link target that cannot end the link early or break the line:
    spaces, parentheses, angle brackets and control characters are
    percent-encoded; an already encoded URL is left as it is."""
    return urllib.parse.quote(link, safe=";/?:@&=+$,-_.!~*'#%[]")

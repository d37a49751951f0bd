"""The rule reference (docs/rules.md), generated from the registry.

A pure function of a loaded rule pack and the HIPAA catalogue: every rule's
declared metadata, grouped by service folder, then every specification of
the catalogue with the rules that evidence it (the same mapping a scan's
checklist uses) or the attestation it needs. Nothing is written twice by
hand, and the output is deterministic (no clock, no absolute path), so a
test can hold docs/rules.md to it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from hipaa_scan.controls import SAFEGUARDS, Catalogue, Control, Evidence
from hipaa_scan.engine import Rule, RulePack
from hipaa_scan.model import Severity
from hipaa_scan.scoring import assess

GENERATOR = "scripts/generate_docs.py"
MATRIX_HEADING = "Citations to rules"

# Control characters end a line or a table row; inside text they become spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
# Characters with inline meaning in GitHub Markdown (code, emphasis, links,
# HTML, tables, strikethrough, entities); CommonMark lets any ASCII
# punctuation be escaped with a backslash.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# What GitHub drops from a heading when it makes the heading's anchor.
_NOT_IN_ANCHOR = re.compile(r"[^\w\- ]")

_EVIDENCE = {
    Evidence.AUTOMATED: "Azure configuration can show it",
    Evidence.HYBRID: "rules support it, an attestation completes it",
    Evidence.ATTESTATION: "only a recorded attestation can satisfy it",
}


def render_rule_reference(pack: RulePack, catalogue: Catalogue) -> str:
    """docs/rules.md for ``pack`` (custom packs included, if it has any)."""
    groups = _groups(pack)
    parts = [_head(pack, groups), _contents(groups)]
    for title, rules in groups:
        parts.append(f"## {title}\n")
        parts.extend(_rule(pack, r, catalogue) for r in rules)
    parts.append(_matrix(pack, catalogue))
    return "\n".join(parts)


def _groups(pack: RulePack) -> list[tuple[str, list[Rule]]]:
    """Rules by service folder (the first folder of the module path), shipped
    folders first, then each custom pack's; rules in id order within each."""
    groups: dict[tuple[int, str], list[Rule]] = {}
    for r in pack.rules:
        origin = pack.origin(r.id)
        folder = r.module.split("/")[0] if "/" in r.module else "top level"
        key = (0, folder) if origin is None else (1 + pack.custom.index(origin), folder)
        groups.setdefault(key, []).append(r)
    out = []
    for (rank, folder), rules in sorted(groups.items()):
        title = folder if rank == 0 else f"{folder} (custom: {pack.custom[rank - 1].directory.name})"
        out.append((title, rules))
    return out


def _head(pack: RulePack, groups: Sequence[tuple[str, list[Rule]]]) -> str:
    by_severity = Counter(r.severity for r in pack.rules)
    lines = [
        "# Rule reference",
        "",
        f"<!-- Generated from the rule registry by {GENERATOR}. Do not edit by hand: run `make docs`. -->",
        "",
        f"> Generated from the rule registry and the HIPAA catalogue by `make docs` ({GENERATOR}). "
        "Do not edit by hand: tests/test_docs.py fails when this file differs from what the registry says.",
        "",
        f"Rule pack {_text(pack.version)}: {len(pack.rules)} rules in {len(groups)} service folders. "
        "Each rule states its HIPAA citations, what it checks and how to fix a failure; "
        f"[{MATRIX_HEADING}](#{_anchor(MATRIX_HEADING)}) lists every standard and implementation "
        "specification of the catalogue with the rules behind it, or the attestation it needs.",
    ]
    for custom in pack.custom:
        lines += [
            "",
            f"Custom pack {_text(custom.directory.name)} (version {_text(custom.version)}): "
            f"{_count(len(custom.rule_ids), 'rule')}.",
        ]
    lines += ["", "| Severity | Rules |", "|---|---:|"]
    lines += [f"| {s.value} | {by_severity[s]} |" for s in Severity]
    lines += [f"| **total** | **{len(pack.rules)}** |", ""]
    return "\n".join(lines)


def _contents(groups: Sequence[tuple[str, list[Rule]]]) -> str:
    lines = ["## Contents", "", "| Service folder | Rules |", "|---|---|"]
    for title, rules in groups:
        ids = ", ".join(_rule_link(r.id) for r in rules)
        lines.append(f"| [{_text(title)}](#{_anchor(title)}) ({len(rules)}) | {ids} |")
    lines += [f"| [{MATRIX_HEADING}](#{_anchor(MATRIX_HEADING)}) | |", ""]
    return "\n".join(lines)


def _rule(pack: RulePack, r: Rule, catalogue: Catalogue) -> str:
    citations = "; ".join(_citation(catalogue.by_citation[c]) for c in r.citations)
    reads = ", ".join(_code(t) for t in r.reads) or "nothing else"
    return "\n".join(
        [
            # The heading is the id alone, so its anchor (#kv-02) is stable and linkable.
            f"### {r.id}",
            "",
            f"**{_text(r.title)}** · {r.severity.value}",
            "",
            f"- **Citations:** {citations}",
            f"- **Applies to:** {', '.join(_code(t) for t in r.resource_types)}",
            f"- **Also reads:** {reads}",
            f"- **Module:** {_code(_module_path(pack, r))}",
            "",
            f"**Rationale.** {_text(r.rationale)}",
            "",
            f"**Remediation.** {_text(r.remediation)}",
            "",
        ]
    )


def _module_path(pack: RulePack, r: Rule) -> str:
    origin = pack.origin(r.id)
    folder = "rules" if origin is None else origin.directory.name
    return f"{folder}/{r.module}.py"


def _citation(control: Control) -> str:
    return f"[{control.citation}]({control.url}) {_text(control.name)} ({control.designation_code})"


def _matrix(pack: RulePack, catalogue: Catalogue) -> str:
    assessment = assess(catalogue, pack.rules, [])
    evidence = Counter(c.evidence for c in catalogue.controls)
    unmapped = sum(1 for item in assessment.items if not item.rules)
    lines = [
        f"## {MATRIX_HEADING}",
        "",
        f"Every standard and implementation specification of the catalogue ({len(catalogue.controls)} entries; "
        f"{unmapped} with no rule). A standard is evidenced by the rules citing it and those of its "
        "implementation specifications, as in a scan's checklist. R/A: Required or Addressable. Evidence: "
        + "; ".join(f"{kind.value} ({_EVIDENCE[kind]}, {evidence[kind]})" for kind in Evidence)
        + ".",
    ]
    section = ""
    for item in assessment.items:
        control = item.control
        if control.section != section:
            section = control.section
            lines += [
                "",
                f"### {section} {SAFEGUARDS[section]}",
                "",
                "| Citation | Specification | R/A | Evidence | Rules |",
                "|---|---|---|---|---|",
            ]
        name = _text(control.name)
        if control.kind == "standard":
            name = f"**{name}** (standard)"
        cited = f"[{control.citation}]({control.url})"
        lines.append(
            f"| {cited} | {name} | {control.designation_code} | {control.evidence.value} | "
            f"{_rules_cell(control, [s.rule for s in item.rules])} |"
        )
    lines.append("")
    return "\n".join(lines)


def _rules_cell(control: Control, mapped: Sequence[Rule]) -> str:
    """The rules citing ``control`` itself, how many more evidence it through
    its specifications, and the attestation it still needs."""
    guidance = _text(control.attestation_guidance) or "no guidance recorded in the catalogue"
    if not mapped:
        return f"**attestation required**: {guidance}"
    direct = [r.id for r in mapped if control.citation in r.citations]
    cell = ", ".join(_rule_link(rid) for rid in direct)
    if len(mapped) > len(direct):
        more = f"{len(mapped) - len(direct)} through its implementation specifications"
        cell = f"{cell} + {more}" if cell else more
    if control.evidence is not Evidence.AUTOMATED:
        cell += f"; attestation also required: {guidance}"
    return cell


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _rule_link(rule_id: str) -> str:
    return f"[{rule_id}](#{_anchor(rule_id)})"


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation other than
    hyphens and underscores dropped, spaces as hyphens."""
    return _NOT_IN_ANCHOR.sub("", heading.lower()).replace(" ", "-")


def _text(text: str) -> str:
    """Prose from a rule or the catalogue, on one line, with nothing in it read
    as Markdown, HTML or a table-cell break."""
    return _INLINE.sub(r"\\\1", " ".join(_CONTROL.sub(" ", text).split()))


def _code(text: str) -> str:
    """An ARM type or a path as a code span (they hold no backticks or pipes)."""
    return f"`{_CONTROL.sub(' ', text)}`"

"""The HTML report: one self-contained file rendered from the JSON document.

jinja2 with autoescape on and StrictUndefined, so a resource name from a
hostile export is shown as text and a template typo fails loudly in tests.
No external fetches: CSS is inline, there is no JavaScript dependency.
"""

from __future__ import annotations

import itertools
from collections import Counter
from operator import attrgetter
from pathlib import Path
from typing import Any

import jinja2

from hipaa_scan.errors import OutputError
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.model import Finding

TEMPLATE = "report.html.j2"
# Per rule, at most this many findings of each status are written out in the
# HTML; the JSON report always has all of them.
HTML_FINDINGS_PER_STATUS = 50
STATUS_ORDER = ("fail", "waived", "error", "unknown", "pass", "not_applicable")


def templates_dir() -> Path:
    """Templates ship inside the wheel as ``hipaa_scan/_templates``; in a
    source checkout they live in ``reports/templates``."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_templates", here.parent / "reports" / "templates"):
        if (candidate / TEMPLATE).is_file():
            return candidate
    raise OutputError(f"HTML template {TEMPLATE} not found")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _evidence(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings grouped by rule, worst statuses first, capped per status.
    Findings arrive grouped by rule (the engine's order), so one pass does it."""
    grouped: dict[str, tuple[dict[str, list[Finding]], Counter[str]]] = {}
    for rule_id, group in itertools.groupby(document["findings"], key=attrgetter("rule_id")):
        shown: dict[str, list[Finding]] = {status: [] for status in STATUS_ORDER}
        counts: Counter[str] = Counter()
        for finding in group:
            counts[finding.status] += 1
            kept = shown[finding.status]
            if len(kept) < HTML_FINDINGS_PER_STATUS:
                kept.append(finding)
        grouped[rule_id] = (shown, counts)
    out = []
    for rule in document["checklist"]["rules"]:
        shown, counts = grouped.get(rule["rule_id"], ({}, Counter()))
        findings = [f for status in STATUS_ORDER for f in shown.get(status, ())]
        out.append({"rule": rule, "findings": findings, "hidden": sum(counts.values()) - len(findings)})
    return out


@gc_paused()
def render_html(document: dict[str, Any]) -> str:
    template = _environment().get_template(TEMPLATE)
    return template.render(report=document, evidence=_evidence(document), status_order=STATUS_ORDER)

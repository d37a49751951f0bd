"""The HTML report: one self-contained file rendered from the JSON document.

jinja2 with autoescape on and StrictUndefined, so a resource name from a
hostile export is shown as text and a template typo fails loudly in tests.
No external fetches: CSS is inline, there is no JavaScript dependency.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import jinja2

from hipaa_scan.errors import OutputError
from hipaa_scan.model import Finding

TEMPLATE = "report.html.j2"
# Per rule, at most this many findings of each status are written out in the
# HTML; the JSON report always has all of them.
HTML_FINDINGS_PER_STATUS = 200
STATUS_ORDER = ("fail", "error", "unknown", "pass", "not_applicable")


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
    """Findings grouped by rule, worst statuses first, capped per status."""
    grouped: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in document["findings"]:
        grouped[finding.rule_id][finding.status.value].append(finding)
    out = []
    for rule in document["checklist"]["rules"]:
        by_status = grouped.get(rule["rule_id"], {})
        shown: list[Finding] = []
        hidden = 0
        for status in STATUS_ORDER:
            items = by_status.get(status, [])
            shown.extend(items[:HTML_FINDINGS_PER_STATUS])
            hidden += max(0, len(items) - HTML_FINDINGS_PER_STATUS)
        out.append({"rule": rule, "findings": shown, "hidden": hidden})
    return out


def render_html(document: dict[str, Any]) -> str:
    template = _environment().get_template(TEMPLATE)
    return template.render(report=document, evidence=_evidence(document), status_order=STATUS_ORDER)

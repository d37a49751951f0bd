"""The HTML report: one self-contained file rendered from the JSON document.

jinja2 with autoescape on and StrictUndefined, so a resource name from a
hostile export is shown as text and a template typo fails loudly in tests.

The page is one tree, safeguard → standard → specification → rule →
resource → evidence, of ``<details>`` elements that open and close without
script. One inline ``<script>`` (``report.js``) adds the filters, the search
and deep links, and one inline ``<style>`` (``report.css``) styles screen and
print. Both are allowed by the SHA-256 of their exact text in the page's
Content-Security-Policy, computed here at render time; nothing else may run,
load or be fetched. Filtering works on the rows themselves: each finding row
carries its status, subscription, service and PHI scope as data attributes,
and its rule's severity and safeguards are stated once on the rule, so the
page grows with the rows shown (capped per rule and status) and carries no
copy of the data as JSON.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import markupsafe
import orjson

from hipaa_scan.errors import OutputError
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.model import Finding

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
SCRIPT = "report.js"
# Per rule, at most this many findings of each status are written out in the
# HTML; the JSON report always has all of them.
HTML_FINDINGS_PER_STATUS = 50
STATUS_ORDER = ("fail", "waived", "error", "unknown", "pass", "not_applicable")
CHECKLIST_STATUSES = ("met", "partially_met", "not_met", "not_assessed", "needs_attestation", "no_resources_in_scope")
SEVERITIES = ("critical", "high", "medium", "low")
# The value of data-sub for a finding about a tenant-level object (Entra ID).
TENANT_SCOPE = "tenant"


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


@functools.cache
def _asset(directory: Path, name: str, closing: str) -> str:
    """A static asset inlined into the page. Its text must not be able to
    end the element it is inlined in."""
    text = (directory / name).read_text(encoding="utf-8")
    if closing in text.lower():
        raise OutputError(f"{name} contains {closing!r} and cannot be inlined")
    return text


def csp_source(text: str) -> str:
    """The CSP source expression that allows exactly this inline text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


_CSS_SAFE = re.compile(r"[^A-Za-z0-9 .:,()_+/-]")


def css_string(text: str) -> str:
    """A CSS string literal of ``text``: every character that could end the
    string, the rule or the element is written as a hex escape."""
    return '"' + _CSS_SAFE.sub(lambda m: f"\\{ord(m.group()):x} ", text) + '"'


def _stylesheet(directory: Path, manifest: Mapping[str, Any]) -> str:
    """The static stylesheet and the running header of printed pages, which
    names the scan (so every page of a printout says what it belongs to)."""
    tool = manifest.get("tool", {})
    heading = f"HIPAA Security Rule assessment · scanned {manifest.get('scanned_at', '')}"
    heading += f" · {tool.get('name', 'hipaa-scan')} {tool.get('version', '')}".rstrip()
    page = f"@media print {{\n  @page {{ @top-left {{ content: {css_string(heading)}; }} }}\n}}\n"
    return _asset(directory, STYLESHEET, "</style") + page


class Row(NamedTuple):
    """One finding as the evidence table shows it. ``path`` and ``expected``
    are empty where they are the rule's usual ones (stated once, above)."""

    id: str
    status: str
    subscription: str
    service: str
    service_label: str
    phi: bool
    resource: str
    observed: str
    message: str
    path: str
    expected: str


def _observed(value: Any) -> str:
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return orjson.dumps(value, default=str).decode("utf-8")


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], v)) if counts else ""


def service_of(resource_type: str) -> str:
    """The resource provider namespace (``Microsoft.KeyVault``) of a type."""
    return resource_type.split("/", 1)[0]


def _evidence(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per rule id: the findings shown (worst statuses first, capped per
    status), how many more the JSON report has, and the path and expected
    value most of them share. Findings arrive grouped by rule (the engine's
    order), so one pass does it."""
    phi: frozenset[str] | set[str] = document.get("phi_resources") or frozenset()
    grouped: dict[str, tuple[dict[str, list[Finding]], int]] = {}
    for rule_id, group in itertools.groupby(document["findings"], key=attrgetter("rule_id")):
        shown: dict[str, list[Finding]] = {status: [] for status in STATUS_ORDER}
        total = 0
        for finding in group:
            total += 1
            kept = shown[finding.status]
            if len(kept) < HTML_FINDINGS_PER_STATUS:
                kept.append(finding)
        grouped[rule_id] = (shown, total)
    out: dict[str, dict[str, Any]] = {}
    for rule in document["checklist"]["rules"]:
        rule_id = rule["rule_id"]
        shown, total = grouped.get(rule_id, ({}, 0))
        findings = [f for status in STATUS_ORDER for f in shown.get(status, ())]
        path = _most_common(f.path for f in findings)
        expected = _most_common(f.expected for f in findings)
        rows = [
            Row(
                f"finding-{rule_id}-{n}",
                str(f.status),
                f.subscription_id or TENANT_SCOPE,
                service_of(f.resource_type).lower(),
                service_of(f.resource_type),
                f.resource_id.lower() in phi,
                f.resource_id,
                _observed(f.observed),
                f.message,
                "" if f.path == path else f.path,
                "" if f.expected == expected else f.expected,
            )
            for n, f in enumerate(findings, 1)
        ]
        out[rule_id] = {"rows": rows, "hidden": total - len(rows), "path": path, "expected": expected}
    return out


def section_of(citation: str) -> str:
    """``164.312`` for ``164.312(a)(2)(iv)``."""
    return citation.split("(", 1)[0]


def _tree(document: Mapping[str, Any], evidence: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The checklist as safeguard → standard → specification, each node with
    the rules shown there. A rule's evidence is shown once, under the first
    specification it cites; every other specification it cites lists it as a
    link there (``refs``), so the page does not grow with citations."""
    checklist = document["checklist"]
    items: Sequence[Mapping[str, Any]] = checklist["items"]
    by_citation = {item["citation"]: item for item in items}
    rules = []
    placed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    refs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    unplaced = []
    for rule in checklist["rules"]:
        cited = [c for c in rule["citations"] if c in by_citation]
        home = cited[0] if cited else None
        entry = {
            "rule": rule,
            "home": home,
            "safeguards": sorted({section_of(c) for c in rule["citations"]}),
            "cites": [(c, by_citation[c]["name"] if c in by_citation else "") for c in rule["citations"]],
            **evidence[rule["rule_id"]],
        }
        rules.append(entry)
        if home is None:
            unplaced.append(entry)
        for citation in cited:
            (placed if citation == home else refs)[citation].append(entry)
    nodes: dict[str, dict[str, Any]] = {}
    for item in items:
        nodes[item["citation"]] = {
            "item": item,
            "rules": placed.get(item["citation"], []),
            "refs": refs.get(item["citation"], []),
            "children": [],
        }
    tops: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        node = nodes[item["citation"]]
        parent = nodes.get(item["parent"] or "")
        if parent is not None:
            parent["children"].append(node)
        else:
            tops[item["section"]].append(node)
    safeguards = []
    titles = {s["key"]: s["title"] for s in checklist["safeguards"]}
    for section in dict.fromkeys([*titles, *(i["section"] for i in items)]):
        if section in tops:
            safeguards.append({"key": section, "title": titles.get(section, section), "nodes": tops[section]})
    return {
        "safeguards": safeguards,
        "unplaced": unplaced,
        "rules": {r["rule"]["rule_id"]: r for r in rules},
        "citations": set(by_citation),
    }


def _filters(document: Mapping[str, Any], evidence: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The choices of each filter: the values that occur on the rows shown."""
    subscriptions: set[str] = set()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    rows = 0
    for entry in evidence.values():
        for row in entry["rows"]:
            rows += 1
            subscriptions.add(row.subscription)
            spellings[row.service][row.service_label] += 1
    severities = {r["severity"] for r in document["checklist"]["rules"]}
    return {
        "rows": rows,
        "severities": [s for s in SEVERITIES if s in severities],
        "subscriptions": sorted(subscriptions, key=lambda s: (s == TENANT_SCOPE, s)),
        # Shown as most inputs spell it (Resource Graph lower-cases types).
        "services": [(key, min(c, key=lambda s: (-c[s], s == s.lower(), s))) for key, c in sorted(spellings.items())],
    }


# The executive summary's charts, drawn as inline SVG: geometry here,
# markup in the template.
GAUGE_RADIUS = 80


def gauge(score: float | None) -> dict[str, Any]:
    """A half-circle gauge of a 0-100 score: the arc's end point and band."""
    value = 0.0 if score is None else max(0.0, min(100.0, float(score)))
    angle = math.pi * value / 100
    x = 100 - GAUGE_RADIUS * math.cos(angle)
    y = 100 - GAUGE_RADIUS * math.sin(angle)
    band = "none" if score is None else "good" if value >= 80 else "fair" if value >= 50 else "poor"
    return {"score": score, "x": round(x, 2), "y": round(y, 2), "band": band, "empty": value == 0}


def _stack(counts: Mapping[str, int], order: Sequence[str], width: float) -> list[dict[str, Any]]:
    total = sum(counts.get(s, 0) for s in order)
    segments, x = [], 0.0
    for status in order:
        n = counts.get(status, 0)
        if n and total:
            w = width * n / total
            segments.append({"status": status, "x": round(x, 2), "w": round(w, 2), "n": n})
            x += w
    return segments


def _charts(document: Mapping[str, Any]) -> dict[str, Any]:
    checklist = document["checklist"]
    weighted = checklist.get("phi_weighted") or None
    weighted_by_key = {s["key"]: s for s in (weighted or {}).get("safeguards", [])}
    by_section: dict[str, Counter[str]] = defaultdict(Counter)
    for item in checklist["items"]:
        by_section[item["section"]][item["status"]] += 1
    safeguards = []
    for s in checklist["safeguards"]:
        phi = weighted_by_key.get(s["key"])
        safeguards.append(
            {
                "key": s["key"],
                "title": s["title"],
                "score": s["score"],
                "phi_score": phi["score"] if phi else None,
                "counts": s["counts"],
                "items": dict(by_section.get(s["key"], {})),
                "item_segments": _stack(by_section.get(s["key"], {}), CHECKLIST_STATUSES, 230),
                "finding_segments": _stack(s["counts"], STATUS_ORDER, 230),
            }
        )
    return {
        "overall": gauge(checklist["overall"]["score"]),
        "phi_overall": gauge(weighted["overall"]["score"]) if weighted else None,
        "safeguards": safeguards,
    }


def _attestations(document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Recorded attestations (checklist and architecture items) and the
    checklist items that still need one."""
    recorded, outstanding = [], []
    for item in document["checklist"]["items"]:
        if item.get("attestation"):
            recorded.append(
                {
                    "ref": item["citation"],
                    "anchor": "spec-" + item["citation"],
                    "title": item["name"],
                    "att": item["attestation"],
                }
            )
        elif item.get("needs_attestation"):
            outstanding.append(item)
    for item in (document.get("architecture") or {}).get("items", []):
        if item.get("attestation"):
            recorded.append(
                {"ref": item["id"], "anchor": "arch-" + item["id"], "title": item["title"], "att": item["attestation"]}
            )
    return {"recorded": recorded, "outstanding": outstanding}


def is_web_link(value: str) -> bool:
    """Only http(s) evidence becomes a link; anything else (a path, a
    ``javascript:`` URL from a hostile file) is shown as text."""
    return value.lower().startswith(("https://", "http://"))


@gc_paused()
def render_html(document: dict[str, Any], *, expanded: bool = False) -> str:
    """The report page. ``expanded`` opens every section (for printing to PDF)."""
    directory = templates_dir()
    template = _environment().get_template(TEMPLATE)
    style = _stylesheet(directory, document["manifest"])
    script = _asset(directory, SCRIPT, "</script")
    csp = (
        f"default-src 'none'; script-src {csp_source(script)}; style-src {csp_source(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    evidence = _evidence(document)
    return template.render(
        report=document,
        tree=_tree(document, evidence),
        filters=_filters(document, evidence),
        charts=_charts(document),
        attestations=_attestations(document),
        status_order=STATUS_ORDER,
        checklist_statuses=CHECKLIST_STATUSES,
        per_status=HTML_FINDINGS_PER_STATUS,
        expanded=expanded,
        csp=csp,
        # The package's own assets, checked not to end their element (_asset); the print
        # header in the stylesheet is a CSS string escaped by css_string.
        style=markupsafe.Markup(style),  # noqa: S704
        script=markupsafe.Markup(script),  # noqa: S704
        is_web_link=is_web_link,
    )

"""The HTML report's structure, sections and safety, without a browser.

Rendered from the sample tenant's report document, with the sections other
parts of the scan add (reference architecture, readiness, attestations, PHI
weighting) built by hand here, so the page is tested against their contract
whether or not a scan produced them, and without them (a JSON report written
before they existed still renders).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE

from hipaa_scan import cli
from hipaa_scan.model import Finding, Status
from hipaa_scan.reporting.html_report import HTML_FINDINGS_PER_STATUS, css_string, render_html
from hipaa_scan.reporting.json_report import document_from_report

NOW = "2026-11-21T09:00:00Z"
HOSTILE = "<script>alert(1)</script>"
NEW_SECTIONS = ("architecture", "readiness")
ATTESTATION = {
    "status": "met",
    "state": "expired",
    "owner": "Dana <b>Whitfield</b>, Privacy Officer",
    "date": "2025-01-02",
    "expires": "2026-01-02",
    "evidence": ["https://contoso.example/baa.pdf", "javascript:alert(1)", "docs/baa register.xlsx"],
    "notes": HOSTILE,
}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.tags if a.get("id")]  # type: ignore[misc]


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("doc")
    code = cli.main(
        ["scan", str(SAMPLE), "--out", str(out), "--format", "json", "-q", "--now", NOW, "--fail-on", "never"]
    )
    assert code == 0
    return document_from_report(json.loads((out / "hipaa-scan-report.json").read_text()))


def _plain(base: dict[str, Any]) -> dict[str, Any]:
    """The document as a scan before the lead's new sections wrote it."""
    document = copy.deepcopy({k: v for k, v in base.items() if k not in ("findings", "resources")})
    for key in (*NEW_SECTIONS, "phi_resources"):
        document.pop(key, None)
    for key in ("attestations", "policy", "profile"):
        document["manifest"].pop(key, None)
    document["checklist"].pop("phi_weighted", None)
    for item in document["checklist"]["items"]:
        item.pop("attestation", None)
        item.pop("automated_status", None)
    return {**document, "findings": base["findings"], "resources": base["resources"]}


def _full(base: dict[str, Any]) -> dict[str, Any]:
    document = _plain(base)
    document["architecture"] = {
        "source": "HIPAA on Azure reference architecture",
        "items": [
            {
                "id": "RA-01",
                "list": 1,
                "title": "BAA signed with Microsoft",
                "evidence": "attestation",
                "status": "needs_attestation",
                "citations": ["164.308(b)(1)"],
                "required": [],
                "supporting": [{"rule_id": "GOV-03", "status": "fail"}],
                "attestation": None,
                "attestation_guidance": "The executed BAA " + HOSTILE,
            },
            {
                "id": "RA-04",
                "list": 2,
                "title": "Key Vault with HSM-backed keys",
                "evidence": "automated",
                "status": "partially_met",
                "citations": ["164.312(a)(2)(iv)", "999.999(z)"],
                "required": [
                    {"rules": ["KV-04", "KV-05"], "status": "fail"},
                    {"rules": ["NOPE-99"], "status": "not_implemented"},
                ],
                "supporting": [],
                "attestation": ATTESTATION,
                "attestation_guidance": "",
            },
        ],
    }
    document["readiness"] = {
        "profile": "hipaa-nprm-2025",
        "title": "HIPAA Security Rule NPRM readiness",
        "note": "Proposed rule, not in force.",
        "items": [
            {
                "id": "nprm:mfa",
                "title": "Multi-factor authentication required",
                "status": "partially_met",
                "in_force_status": "met",
                "reason": "not passing: ID-02",
                "rules": ["ID-01", "ID-02"],
            }
        ],
    }
    items = document["checklist"]["items"]
    baa = next(i for i in items if i["citation"] == "164.308(b)(1)")
    baa["attestation"] = ATTESTATION
    baa["automated_status"] = "not_assessed"
    overall = document["checklist"]["overall"]
    document["checklist"]["phi_weighted"] = {
        "rule": "A finding on a PHI resource weighs twice its severity weight.",
        "overall": {**overall, "score": 71.5},
        "safeguards": [
            {**s, "score": 80.25 if s["key"] == "164.312" else s["score"]} for s in document["checklist"]["safeguards"]
        ],
    }
    document["manifest"]["attestations"] = {"path": "attest/attestations.yaml", "sha256": "ab" * 32, "entries": 2}
    document["manifest"]["policy"] = {
        "path": "hipaa-scan.toml",
        "sha256": "cd" * 32,
        "phi_scope": {"tags": ["dataclassification=ephi"], "subscriptions": [], "resource_groups": ["rg-phi-data"]},
    }
    document["manifest"]["profile"] = {"id": "hipaa-nprm-2025", "title": "NPRM readiness profile"}
    phi = next(f.resource_id for f in base["findings"] if f.rule_id == "KV-01")
    document["phi_resources"] = frozenset({phi.lower()})
    return document


def test_renders_without_the_newer_sections(base: dict[str, Any]) -> None:
    text = render_html(_plain(base))
    page = _page(text)
    assert 'id="architecture"' not in text and 'id="readiness"' not in text
    assert "PHI-weighted" not in text and "data-phi" not in text
    assert "No attestation file was given" in text
    assert len([a for t, a in page.tags if t == "details" and (a.get("id") or "").startswith("spec-")]) == 66


def test_architecture_readiness_and_attestations(base: dict[str, Any]) -> None:
    text = render_html(_full(base))
    ids = set(_page(text).ids())
    assert {"architecture", "arch-RA-01", "arch-RA-04", "readiness", "ready-nprm:mfa", "attestations"} <= ids
    assert "HIPAA on Azure reference architecture" in text and "HIPAA Security Rule NPRM readiness" in text
    # Rules and specifications the report holds are links; others are text.
    assert 'href="#rule-KV-04"' in text and 'href="#rule-ID-01"' in text
    assert "NOPE-99" in text and 'href="#rule-NOPE-99"' not in text
    assert "999.999(z)" in text and 'href="#spec-999.999(z)"' not in text
    # The attestation: who, when, until when, in what state, on what evidence.
    assert "Dana &lt;b&gt;Whitfield&lt;/b&gt;, Privacy Officer" in text
    assert "2026-01-02" in text and 'class="pill s-expired"' in text
    assert "Automated evidence alone: not assessed" in text
    assert "attest/attestations.yaml" in text and "ab" * 32 in text
    assert "hipaa-scan.toml" in text and "dataclassification=ephi" in text and "rg-phi-data" in text
    assert "NPRM readiness profile" in text


def test_only_web_addresses_become_links_and_hostile_text_stays_text(base: dict[str, Any]) -> None:
    text = render_html(_full(base))
    hrefs = [a["href"] or "" for t, a in _page(text).tags if t == "a"]
    assert "https://contoso.example/baa.pdf" in hrefs
    assert not [h for h in hrefs if not h.startswith(("#", "https://", "http://"))]
    assert "javascript:alert(1)" in text  # shown, as text
    assert HOSTILE not in text and html.escape(HOSTILE, quote=False) in text


def test_phi_weighted_and_unweighted_scores_and_phi_rows(base: dict[str, Any]) -> None:
    document = _full(base)
    text = render_html(document)
    assert "PHI-weighted score" in text and "71.5%" in text and "80.25%" in text
    assert f"{document['checklist']['overall']['score']}%" in text
    phi_rows = [a for t, a in _page(text).tags if t == "tr" and a.get("data-phi") == "1"]
    assert phi_rows and all(a["id"].startswith("finding-") for a in phi_rows)  # type: ignore[union-attr]
    assert '<span class="phi">PHI</span>' in text
    assert "A finding on a PHI resource weighs twice its severity weight." in text


def test_one_inline_script_and_style_allowed_by_their_hashes(base: dict[str, Any]) -> None:
    text = render_html(_full(base))
    page = _page(text)
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None
    scripts = re.findall(r"<script>(.*?)</script>", text, re.DOTALL)
    styles = re.findall(r"<style>(.*?)</style>", text, re.DOTALL)
    assert len(scripts) == 1 and len(styles) == 1
    assert [t for t, _ in page.tags].count("script") == 1 and [t for t, _ in page.tags].count("style") == 1

    def source(body: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"

    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == source(scripts[0])
    assert directives["style-src"] == source(styles[0])
    assert directives["img-src"] == "data:"
    # Nothing a hash does not cover: no style attributes, no event handler attributes.
    attributes = {name for _, a in page.tags for name in a}
    assert "style" not in attributes and not [n for n in attributes if n.startswith("on")]
    # The CSP comes before anything it governs.
    assert text.index("Content-Security-Policy") < text.index("<style>")


def test_every_link_inside_the_page_has_a_target(base: dict[str, Any]) -> None:
    page = _page(render_html(_full(base)))
    ids = page.ids()
    assert len(ids) == len(set(ids)), "duplicate ids"
    targets = {a["href"][1:] for t, a in page.tags if t == "a" and (a.get("href") or "").startswith("#")}  # type: ignore[index]
    assert targets and targets <= set(ids), sorted(targets - set(ids))
    # The deep-link ids: specifications by citation, rules by id, findings by rule and position.
    assert {"spec-164.312(a)(2)(iv)", "rule-KV-01", "finding-KV-01-1"} <= set(ids)
    assert all(re.fullmatch(r"finding-[A-Z]+-\d+-\d+", i) for i in ids if i.startswith("finding-"))


def test_findings_stay_capped_per_status_per_rule(base: dict[str, Any]) -> None:
    document = _plain(base)
    template = next(f for f in base["findings"] if f.rule_id == "KV-01")
    many = [
        Finding(
            template.rule_id,
            f"{template.resource_id}-{n:03}",
            template.resource_type,
            template.subscription_id,
            Status.FAIL if n % 3 else Status.PASS,
            template.path,
            n,
            template.expected,
            "",
        )
        for n in range(180)
    ]
    document["findings"] = tuple(many) + tuple(f for f in base["findings"] if f.rule_id != "KV-01")
    text = render_html(document)
    rule = text[text.index('id="rule-KV-01"') : text.index("</details>", text.index('id="rule-KV-01"'))]
    assert rule.count('data-status="fail"') == HTML_FINDINGS_PER_STATUS
    assert rule.count('data-status="pass"') == HTML_FINDINGS_PER_STATUS
    assert f"{180 - 2 * HTML_FINDINGS_PER_STATUS} more findings are in the JSON report" in rule


def test_rows_stay_small(base: dict[str, Any]) -> None:
    """A 100,000-resource report is ~1.7 MiB because a row carries little
    beyond its resource id and evidence (the rule's severity and safeguards
    are stated once, on the rule): keep it that way."""
    text = render_html(_full(base))
    rows = re.findall(r'<tr id="finding-.*?</tr>', text, re.DOTALL)
    assert len(rows) > 100
    markup = [len(row) - sum(map(len, re.findall(r"<td>(.*?)</td>", row, re.DOTALL)[1:])) for row in rows]
    assert max(markup) < 230, max(markup)


def test_expanded_opens_every_section_and_drops_the_controls(base: dict[str, Any]) -> None:
    text = render_html(_full(base), expanded=True)
    details = [a for t, a in _page(text).tags if t == "details"]
    assert details and all("open" in a for a in details)
    assert 'id="filters"' not in text


def test_print_header_is_a_safe_css_string() -> None:
    literal = css_string('scanned 2026 · "x"; } </style><script>\\')
    assert literal.startswith('"scanned 2026 \\b7  ') and literal.endswith('"')
    assert not set(literal[1:-1]) & set("\"'<>;{}\n")


def test_the_wheel_ships_the_page_assets() -> None:
    templates = Path(__file__).resolve().parent.parent / "reports" / "templates"
    shipped = {p.name for p in templates.iterdir()}
    assert {"report.html.j2", "tree.html.j2", "charts.html.j2", "report.css", "report.js"} <= shipped
    pyproject = (templates.parent.parent / "pyproject.toml").read_text()
    assert '"reports/templates" = "hipaa_scan/_templates"' in pyproject

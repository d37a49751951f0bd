"""The HTML report rendered by a real headless Chromium.

`make test` installs Chromium (scripts/ensure-chromium) and axe-core
(`npm ci`, package-lock.json) and sets HIPAA_SCAN_REQUIRE_BROWSER=1, so there
these tests cannot be skipped; a bare `pytest` on a machine without Chromium
skips them with a reason.

The interactive tests drive the page over the DevTools protocol
(tests/browser.py): they choose filters and type searches as a person would,
follow deep links, and check what is visible, what is open and what is in
view, that the page logged no error and violated no Content-Security-Policy,
and that axe-core finds no accessibility violation.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browser import FLAGS, Chromium, find_chromium
from conftest import SAMPLE

from hipaa_scan import cli

CHROMIUM = find_chromium()
REQUIRED = os.environ.get("HIPAA_SCAN_REQUIRE_BROWSER") == "1"
if CHROMIUM is None and not REQUIRED:
    pytest.skip("chromium not installed (make test installs it)", allow_module_level=True)

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
HOSTILE_NAME = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(text)
    return parser.tags


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []
    return subprocess.run(
        [CHROMIUM, *FLAGS, *sandbox, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("html")
    hostile = {
        "id": "/subscriptions/3c0b5a3e-8d4f-4b7a-9e21-6f1d2c8a9b10/resourceGroups/rg-x/providers/Microsoft.KeyVault/vaults/<b>evil</b>",
        "type": "Microsoft.KeyVault/vaults",
        "name": HOSTILE_NAME,
        "location": "eastus",
        "properties": {"enablePurgeProtection": HOSTILE_NAME, "sku": {"name": "</td></tr></table><h1>injected</h1>"}},
    }
    (tmp / "hostile.json").write_text(json.dumps(hostile))
    code = cli.main(
        [
            "scan",
            str(SAMPLE),
            str(tmp / "hostile.json"),
            "--out",
            str(tmp / "out"),
            "--quiet",
            "--now",
            "2026-11-21T09:00:00Z",
        ]
    )
    assert code == 1
    return tmp / "out" / "hipaa-scan-report.html"


@pytest.fixture(scope="module")
def rows(report_html: Path) -> list[dict[str, str | None]]:
    """Every finding row of the report, as written (before any script runs)."""
    return [a for tag, a in _parse(report_html.read_text()) if tag == "tr" and a.get("data-status")]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, width=1280, height=900) as browser:
        yield browser


@pytest.fixture
def page(chromium: Chromium, report_html: Path) -> Iterator[Chromium]:
    """The report freshly loaded; after the test, the page must have logged
    no error, violated no Content-Security-Policy and opened no dialog."""
    chromium.events.clear()
    chromium.open(report_html.as_uri())
    assert chromium.evaluate("document.getElementById('filters').hidden") is False, "the report's script did not run"
    yield chromium
    assert chromium.problems() == []
    assert chromium.evaluate("window.__cspViolations") == []
    assert not [e for e in chromium.events if e.get("method") == "Page.javascriptDialogOpening"]


def _select(page: Chromium, name: str, value: str) -> None:
    page.evaluate(
        f"(() => {{ const s = document.getElementById({json.dumps('f-' + name)}); s.value = {json.dumps(value)};"
        " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )


def _type(page: Chromium, text: str) -> None:
    """Focus the search box and type, key by key, as a person would."""
    page.evaluate("document.getElementById('f-q').focus()")
    page.send("Input.insertText", {"text": text})
    page.evaluate(
        "new Promise(r => setTimeout(r, 400))", await_promise=True
    )  # the search waits 150 ms for typing to pause


def _visible_rows(page: Chromium) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            "[...document.querySelectorAll('tr[data-status]')].filter(r => !r.closest('[hidden]'))"
            ".map(r => ({id: r.id, status: r.dataset.status, svc: r.dataset.svc, text: r.textContent}))"
        )
    )


def _in_view(page: Chromium, element_id: str) -> dict[str, Any]:
    return dict(
        page.evaluate(
            f"(() => {{ const e = document.getElementById({json.dumps(element_id)}); const r = e.getBoundingClientRect();"
            " const closed = []; for (let d = e; d; d = d.parentElement) if (d.tagName === 'DETAILS' && !d.open) closed.push(d.id);"
            " return {top: r.top, bottom: r.bottom, height: innerHeight, closed: closed, shown: e.offsetParent !== null,"
            " focused: document.activeElement === e || e.contains(document.activeElement)}; })()"
        )
    )


def test_report_renders_in_chromium_with_every_checklist_row(report_html: Path, tmp_path: Path) -> None:
    done = _chromium(tmp_path, "--dump-dom", report_html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    tags = _parse(done.stdout)
    nodes = [a for tag, a in tags if tag == "details" and (a.get("id") or "").startswith("spec-")]
    assert len(nodes) == 66
    assert "Executive summary" in done.stdout
    # Hostile values from the input are text, never markup: the one script is the report's own.
    assert [t for t, _ in tags if t in ("script", "img", "iframe", "object", "embed")] == ["script"]
    assert "<h1>injected</h1>" not in done.stdout
    assert "vaults/&lt;b&gt;evil&lt;/b&gt;" in done.stdout  # the id, autoescaped
    assert "alert(2)" in done.stdout  # the observed value, JSON-encoded as text
    assert not [t for t, _ in tags if t == "b"]


def test_report_is_self_contained(report_html: Path) -> None:
    tags = _parse(report_html.read_text())
    loaders = {"script", "link", "img", "iframe", "source", "video", "audio", "object", "embed"}
    fetched = [(t, a) for t, a in tags if t in loaders and (t != "script" or a)]
    assert fetched == [], fetched  # one <script> with no attributes: inline, fetching nothing
    csp = [a for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")
    assert "'unsafe-inline'" not in (csp[0]["content"] or "")


def test_screenshot(report_html: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = _chromium(tmp_path, "--window-size=1280,1600", f"--screenshot={shot}", report_html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a blank page compresses to a few KB


def test_filters_show_only_matching_rows_and_update_the_counts(
    page: Chromium, rows: list[dict[str, str | None]]
) -> None:
    total = len(rows)
    assert page.evaluate("document.getElementById('f-count').textContent") == f"{total} findings shown in this report."

    _select(page, "status", "fail")
    failing = [r for r in rows if r["data-status"] == "fail"]
    visible = _visible_rows(page)
    assert [r["id"] for r in visible] == [r["id"] for r in failing]
    count = page.evaluate("document.getElementById('f-count').textContent")
    assert count.startswith(f"Showing {len(failing)} of {total} findings (fail {len(failing)})"), count

    _select(page, "svc", "microsoft.keyvault")
    vault_failures = [r for r in failing if r["data-svc"] == "microsoft.keyvault"]
    assert 0 < len(vault_failures) < len(failing)
    assert [r["id"] for r in _visible_rows(page)] == [r["id"] for r in vault_failures]
    assert page.evaluate("location.hash") == "#f:status=fail&svc=microsoft.keyvault"
    # A rule or specification left with nothing to show is hidden, one with matches is opened.
    assert page.evaluate(
        "[...document.querySelectorAll('details.rule')].filter(d => !d.closest('[hidden]'))"
        ".every(d => d.open && d.querySelector('tr[data-status]:not([hidden])'))"
    )
    assert page.evaluate("document.getElementById('sg-164.310').hidden") is True

    page.evaluate("document.getElementById('f-clear').click()")
    assert len(_visible_rows(page)) == total
    assert page.evaluate("location.hash") == ""


def test_severity_safeguard_subscription_and_phi_filters(page: Chromium, rows: list[dict[str, str | None]]) -> None:
    _select(page, "sev", "critical")
    critical = page.evaluate(
        "[...document.querySelectorAll('details.rule[data-sev=critical] tr[data-status]')].map(r => r.id)"
    )
    assert critical and [r["id"] for r in _visible_rows(page)] == critical
    _select(page, "sev", "")

    _select(page, "sg", "164.310")
    physical = page.evaluate(
        "[...document.querySelectorAll('details.rule')].filter(d => d.dataset.sg.split(' ').includes('164.310'))"
        ".flatMap(d => [...d.querySelectorAll('tr[data-status]')].map(r => r.id))"
    )
    assert physical and [r["id"] for r in _visible_rows(page)] == physical
    # Attestation-only specifications of the safeguard stay listed.
    assert _in_view(page, "spec-164.310(a)(1)")["shown"] is True
    _select(page, "sg", "")

    subscription = "9a7d4c21-1e6b-4f3a-8c5d-0b2e7f9a4d63"
    _select(page, "sub", subscription)
    assert [r["id"] for r in _visible_rows(page)] == [r["id"] for r in rows if r["data-sub"] == subscription]
    _select(page, "sub", "tenant")
    tenant = [r["id"] for r in rows if r["data-sub"] == "tenant"]
    assert tenant and [r["id"] for r in _visible_rows(page)] == tenant
    _select(page, "sub", "")

    # No PHI scope was configured for this scan: nothing is in it.
    _select(page, "phi", "in")
    assert _visible_rows(page) == []
    assert page.evaluate("document.getElementById('f-count').textContent").startswith(f"Showing 0 of {len(rows)}")
    _select(page, "phi", "out")
    assert len(_visible_rows(page)) == len(rows)


def test_search_matches_resources_values_and_rules(page: Chromium, rows: list[dict[str, str | None]]) -> None:
    _type(page, "KV-CONTOSO-APPS")
    visible = _visible_rows(page)
    assert visible and all("kv-contoso-apps" in r["text"].lower() for r in visible)
    assert page.evaluate("location.hash") == "#f:q=kv-contoso-apps"
    assert page.evaluate("document.getElementById('f-count').textContent").startswith(f"Showing {len(visible)} of")

    page.evaluate("document.getElementById('f-q').value = ''")
    _type(page, "kv-05")  # a rule id: every finding of the rule
    assert {r["id"].rsplit("-", 1)[0] for r in _visible_rows(page)} == {"finding-KV-05"}

    page.evaluate("document.getElementById('f-q').value = ''")
    _type(page, "no such thing anywhere")
    assert _visible_rows(page) == []
    assert page.evaluate("[...document.querySelectorAll('section.safeguard')].every(s => s.hidden)")


def test_deep_links_open_their_sections_and_scroll_to_them(page: Chromium, report_html: Path) -> None:
    # A specification whose citation needs no escaping in the fragment, inside a closed standard.
    page.open(report_html.as_uri() + "#spec-164.312(a)(2)(iv)")
    target = _in_view(page, "spec-164.312(a)(2)(iv)")
    assert target["closed"] == [] and target["shown"] and target["focused"]
    assert 0 <= target["top"] < target["height"]

    # A rule with no failures (closed by default) under another closed branch, by a hash change.
    closed_rule = page.evaluate(
        "[...document.querySelectorAll('details.rule:not([open])')].find(d => d.closest('details.node:not([open])')).id"
    )
    page.evaluate(f"location.hash = {json.dumps('#' + closed_rule)}")
    target = _in_view(page, closed_rule)
    assert target["closed"] == [] and 0 <= target["top"] < target["height"] and target["focused"]

    # A finding, hidden by a filter: the filter gives way so the link still shows it.
    finding = page.evaluate("document.querySelector('tr[data-status=pass]').id")
    _select(page, "status", "fail")
    assert _in_view(page, finding)["shown"] is False
    page.evaluate(f"location.hash = {json.dumps('#' + finding)}")
    target = _in_view(page, finding)
    assert target["shown"] and target["closed"] == [] and 0 <= target["top"] < target["height"]
    assert page.evaluate("document.getElementById('f-status').value") == ""

    # Links inside the page (a specification's rule list, the checklist of a rule) go there too.
    page.evaluate("document.querySelector('li[data-ref] a').click()")
    ref = page.evaluate("document.querySelector('li[data-ref]').dataset.ref")
    assert page.evaluate("location.hash") == f"#rule-{ref}"
    assert _in_view(page, f"rule-{ref}")["closed"] == []


def test_filter_state_is_read_from_the_fragment(
    page: Chromium, report_html: Path, rows: list[dict[str, str | None]]
) -> None:
    page.open(report_html.as_uri() + "#f:status=pass&svc=microsoft.storage&sev=nonsense")
    assert page.evaluate("[...document.querySelectorAll('#filters select')].map(s => s.value)") == [
        "pass",
        "",  # an unknown value is ignored
        "",
        "",
        "microsoft.storage",
        "",
    ]
    expected = [r["id"] for r in rows if r["data-status"] == "pass" and r["data-svc"] == "microsoft.storage"]
    assert expected and [r["id"] for r in _visible_rows(page)] == expected


def test_keyboard_opens_sections_and_focus_is_visible(page: Chromium) -> None:
    page.evaluate("document.getElementById('spec-164.312(b)').querySelector('summary').focus()")
    for kind in ("keyDown", "keyUp"):
        page.send(
            "Input.dispatchKeyEvent",
            {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"},
        )
    assert page.evaluate("document.getElementById('spec-164.312(b)').open") is True
    page.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9})
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_print_opens_everything_and_drops_the_controls(page: Chromium) -> None:
    page.emulate_print(True)
    try:
        assert page.evaluate("getComputedStyle(document.getElementById('filters')).display") == "none"
        assert page.evaluate("getComputedStyle(document.getElementById('sg-164.312')).breakBefore") == "page"
        # The address of each link is printed after it.
        after = page.evaluate("getComputedStyle(document.querySelector('a[href^=\"http\"]'), '::after').content")
        assert after.startswith('" <https://www.ecfr.gov/'), after
        closed = page.evaluate("document.querySelectorAll('details:not([open])').length")
        assert closed > 0
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == 0
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == closed
    finally:
        page.emulate_print(False)


def test_a_script_that_does_not_match_its_hash_is_blocked(
    chromium: Chromium, report_html: Path, tmp_path: Path
) -> None:
    """The Content-Security-Policy is really enforced (and the checks above would see a violation)."""
    tampered = tmp_path / "tampered.html"
    tampered.write_text(report_html.read_text().replace('"use strict";', '"use strict"; ', 1))
    chromium.events.clear()
    chromium.open(tampered.as_uri())
    assert chromium.evaluate("document.getElementById('filters').hidden") is True
    assert [v for v in chromium.evaluate("window.__cspViolations") if v.startswith("script-src")]


@pytest.mark.skipif(not AXE.is_file() and not REQUIRED, reason="axe-core not installed (make unit runs npm ci)")
def test_axe_finds_no_accessibility_violations(page: Chromium) -> None:
    assert AXE.is_file(), "run `npm ci` (make unit does) for node_modules/axe-core"
    # Injected through the protocol: the report itself never references axe.
    page.evaluate(AXE.read_text())
    run = (
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
        "({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))"
    )
    assert page.evaluate(run, await_promise=True) == []
    # Everything open (what is inside a closed section is not rendered, so not checked above), filtered.
    page.evaluate("document.getElementById('f-open').click()")
    _select(page, "status", "fail")
    assert page.evaluate(run, await_promise=True) == []


def test_screenshot_of_the_filtered_report(page: Chromium, tmp_path: Path) -> None:
    _select(page, "status", "fail")
    page.evaluate("document.getElementById('checklist').scrollIntoView()")
    shot = tmp_path / "filtered.png"
    page.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 30_000

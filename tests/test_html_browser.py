"""The HTML report rendered by a real headless Chromium.

`make test` installs Chromium (scripts/ensure-chromium) and sets
HIPAA_SCAN_REQUIRE_BROWSER=1, so there these tests cannot be skipped; a bare
`pytest` on a machine without Chromium skips them with a reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SAMPLE

from hipaa_scan import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("HIPAA_SCAN_REQUIRE_BROWSER") != "1":
    pytest.skip("chromium not installed (make test installs it)", allow_module_level=True)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any fetch the page attempted would fail loudly rather than reach a network.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

HOSTILE_NAME = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
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


def test_report_renders_in_chromium_with_every_checklist_row(report_html: Path, tmp_path: Path) -> None:
    done = _chromium(tmp_path, "--dump-dom", report_html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    parser = _Elements()
    parser.feed(done.stdout)
    rows = [a for tag, a in parser.tags if tag == "tr" and (a.get("id") or "").startswith("c-")]
    assert len(rows) == 66
    assert "Executive summary" in done.stdout
    # Hostile values from the input are text, never markup.
    assert not [t for t, _ in parser.tags if t in ("script", "img", "iframe", "object", "embed")]
    assert "<h1>injected</h1>" not in done.stdout
    assert "vaults/&lt;b&gt;evil&lt;/b&gt;" in done.stdout  # the id, autoescaped
    assert "alert(2)" in done.stdout  # the observed value, JSON-encoded as text
    assert not [t for t, _ in parser.tags if t == "b"]


def test_report_is_self_contained(report_html: Path) -> None:
    parser = _Elements()
    parser.feed(report_html.read_text())
    loaders = {"script", "link", "img", "iframe", "source", "video", "audio", "object", "embed"}
    fetched = [(t, a) for t, a in parser.tags if t in loaders]
    assert fetched == [], fetched
    csp = [a for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_screenshot(report_html: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = _chromium(tmp_path, "--window-size=1280,1600", f"--screenshot={shot}", report_html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a blank page compresses to a few KB

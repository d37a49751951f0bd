"""`--format pdf`: the HTML report printed by headless Chromium.

The end-to-end test needs Chromium (`make test` installs it and sets
HIPAA_SCAN_REQUIRE_BROWSER=1, so there it cannot be skipped); the failure
paths use stand-in executables and run anywhere.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from browser import find_chromium
from conftest import SAMPLE

from hipaa_scan import cli
from hipaa_scan.errors import OutputError
from hipaa_scan.reporting import OutputFormat, pdf

NOW = "2026-11-21T09:00:00Z"
needs_chromium = pytest.mark.skipif(
    find_chromium() is None and os.environ.get("HIPAA_SCAN_REQUIRE_BROWSER") != "1",
    reason="chromium not installed (make test installs it)",
)


def _scan(out: Path, *options: str) -> int:
    return cli.main(["scan", str(SAMPLE), "--out", str(out), "--now", NOW, "--fail-on", "never", "-q", *options])


def _fake_chromium(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "fake-chromium"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(0o755)
    return exe


def test_pdf_is_a_format_of_its_own() -> None:
    assert OutputFormat("pdf").filename == "hipaa-scan-report.pdf"
    assert not OutputFormat.PDF.derived  # rendered from the report document, like the HTML


@needs_chromium
def test_format_pdf_prints_the_report_of_the_sample_tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    assert _scan(tmp_path / "a", "--format", "pdf") == 0
    data = (tmp_path / "a" / "hipaa-scan-report.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages >= 20, pages  # every section open: the summary, the tree, attestations, provenance
    # The dates Chromium writes are the scan's, so the same scan prints the same bytes.
    assert b"/CreationDate (D:20261121090000" in data
    assert _scan(tmp_path / "b", "--format", "pdf") == 0
    assert (tmp_path / "b" / "hipaa-scan-report.pdf").read_bytes() == data


def test_a_missing_chromium_is_one_clear_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no" / "such" / "chromium"))
    assert _scan(tmp_path / "out", "--format", "json,html,pdf") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "HIPAA_SCAN_CHROMIUM" in err and "apt-get install chromium" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_chromium_is_looked_for_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OutputError, match=r"none was found on PATH.*apt-get install chromium"):
        pdf.find_chromium()
    exe = _fake_chromium(tmp_path, "exit 0")
    (tmp_path / "google-chrome").symlink_to(exe)
    assert pdf.find_chromium() == str(tmp_path / "google-chrome")
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(exe))
    assert pdf.find_chromium() == str(exe)


def test_a_hung_chromium_is_stopped_within_the_timeout(tmp_path: Path) -> None:
    exe = _fake_chromium(tmp_path, "sleep 60")
    started = time.monotonic()
    with pytest.raises(OutputError, match="did not finish printing within 1 s"):
        pdf.print_to_pdf("<p>hello</p>", str(exe), timeout=1)
    assert time.monotonic() - started < 30


def test_a_failing_chromium_is_reported_with_its_last_words(tmp_path: Path) -> None:
    exe = _fake_chromium(tmp_path, "echo 'starting' >&2; echo 'Missing X server or $DISPLAY' >&2; exit 3")
    with pytest.raises(OutputError, match=r"exited with status 3: Missing X server or \$DISPLAY"):
        pdf.print_to_pdf("<p>hello</p>", str(exe))
    silent = _fake_chromium(tmp_path, "exit 0")
    with pytest.raises(OutputError, match="wrote no PDF"):
        pdf.print_to_pdf("<p>hello</p>", str(silent))


def test_chromium_gets_no_network_and_prints_without_its_own_header(tmp_path: Path) -> None:
    args = tmp_path / "args"
    exe = _fake_chromium(
        tmp_path,
        f'for a in "$@"; do echo "$a" >> {args}; case "$a" in --print-to-pdf=*) printf "%%PDF-1.4 fake" > "${{a#--print-to-pdf=}}";; esac; done',
    )
    assert pdf.print_to_pdf("<p>hello</p>", str(exe)) == b"%PDF-1.4 fake"
    given = args.read_text().splitlines()
    for flag in (
        "--headless",
        "--no-pdf-header-footer",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--disable-background-networking",
    ):
        assert flag in given
    assert given[-1].startswith("file://") and given[-1].endswith("/report.html")


def test_dates_are_stamped_without_moving_a_byte() -> None:
    original = b"%PDF-1.4\n<</Title (x) /CreationDate (D:20270102030405+01'00') /ModDate (D:20270102030405Z)>>\n"
    stamped = pdf.stamp_dates(original, NOW)
    assert len(stamped) == len(original)
    assert b"/CreationDate (D:20261121090000+00'00')" in stamped
    assert b"/ModDate (D:20261121090000Z)" in stamped

"""The PDF report: the HTML report printed by headless Chromium.

The HTML is rendered with every section open (``render_html(expanded=True)``)
and printed with ``--print-to-pdf``, so the PDF is the report's print layout:
its print stylesheet drops the filter controls, starts each safeguard on a
new page, heads every page with the scan's metadata and writes out the
address of each link. Chromium runs with no network (every host name
resolves to nothing) and a throw-away profile, and is stopped, with every
process it started, after ``TIMEOUT_SECONDS``.

Chromium is the one named by ``HIPAA_SCAN_CHROMIUM`` (a path or a command
name), else the first of ``chromium``, ``chromium-browser`` and
``google-chrome`` on PATH. Without one, ``--format pdf`` fails before any
report is written.

Reproducibility: Chromium writes the time of printing into the document's
metadata (``/CreationDate``, ``/ModDate``), the only bytes in which two
prints of the same page differ. Both are overwritten with the scan's time
(the same length, so no offset in the file moves), which makes the PDF as
reproducible as the other formats for a given Chromium build; another
Chromium version lays out and encodes the same report differently.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from hipaa_scan.errors import OutputError
from hipaa_scan.reporting.html_report import render_html

CHROMIUM_ENV = "HIPAA_SCAN_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Printing a 100,000-resource report (some 4,000 finding rows) takes well
# under a minute on two cores; a browser that hangs is stopped long before CI's.
TIMEOUT_SECONDS = 300
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: sudo apt-get install chromium; scripts/ensure-chromium does it) "
    f"or set {CHROMIUM_ENV} to its path"
)
# Headless Chromium with nothing to fetch and nothing to update: the flags
# the PDF, the browser tests and the benchmark all run it with.
BROWSER_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    # Nothing is fetched: the report is self-contained, and any host name resolves to nothing.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
FLAGS = (*BROWSER_FLAGS, "--no-pdf-header-footer")


def find_chromium() -> str:
    """The Chromium executable to print with, or OutputError saying how to get one."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise OutputError(f"--format pdf: {CHROMIUM_ENV}={configured} is not an executable; {INSTALL_HINT}")
        return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise OutputError(f"--format pdf needs Chromium, and none was found on PATH: {INSTALL_HINT}")


def write_pdf(document: dict[str, Any], chromium: str, handle: BinaryIO) -> None:
    """Print the report to PDF and write it to ``handle``."""
    pdf = print_to_pdf(render_html(document, expanded=True), chromium)
    handle.write(stamp_dates(pdf, document["manifest"]["scanned_at"]))


# A PDF date as Chromium (Skia) writes it: D:YYYYMMDDHHmmSS and a zone, +HH'mm' or Z.
_DATES = re.compile(rb"/(CreationDate|ModDate) ?\(D:(\d{14})([+-]\d\d'\d\d'|Z)?\)")


def stamp_dates(pdf: bytes, moment: str) -> bytes:
    """``pdf`` with its creation and modification dates set to ``moment``
    (RFC 3339, UTC), each date keeping its length."""
    digits = re.sub(r"\D", "", moment)[:14].encode("ascii")
    if len(digits) != 14:
        return pdf

    def utc(match: re.Match[bytes]) -> bytes:
        zone = match.group(3) or b""
        same_length = b"+00'00'" if len(zone) == 7 else zone
        return match.group(0)[: match.start(2) - match.start(0)] + digits + same_length + b")"

    return _DATES.sub(utc, pdf)


def print_to_pdf(html: str, chromium: str, *, timeout: float | None = None) -> bytes:
    limit = TIMEOUT_SECONDS if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="hipaa-scan-pdf-") as work:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        pdf = Path(work) / "report.pdf"
        command = [chromium, *FLAGS, f"--user-data-dir={Path(work) / 'profile'}", f"--print-to-pdf={pdf}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
        command.append(page.as_uri())
        _run(command, limit)
        try:
            data = pdf.read_bytes()
        except OSError:
            data = b""
    if not data.startswith(b"%PDF-"):
        raise OutputError(f"--format pdf: {chromium} wrote no PDF")
    return data


def _run(command: list[str], timeout: float) -> None:
    # Its own session, so a hung browser is stopped with every process it started.
    try:
        browser = subprocess.Popen(  # noqa: S603 (a fixed argument list, no shell)
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise OutputError(f"--format pdf: cannot start {command[0]} ({exc.strerror or exc}); {INSTALL_HINT}") from None
    try:
        _, stderr = browser.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(browser.pid, signal.SIGKILL)
        browser.communicate()
        raise OutputError(f"--format pdf: Chromium did not finish printing within {timeout:g} s") from None
    if browser.returncode != 0:
        last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise OutputError(f"--format pdf: Chromium exited with status {browser.returncode}: {last[0]}")

"""Screenshots of the demo report for the README, taken in headless Chromium.

    make screenshots        # runs `make demo` first, then this
    .venv/bin/python scripts/screenshots.py out/demo/hipaa-scan-report.html docs/screenshots

Writes three PNGs of 1280 x 900 pixels:

  summary.png   the executive summary (scores, charts, counts)
  filtered.png  the checklist filtered to failing Key Vault findings, with the live counts
  evidence.png  a failing finding's evidence, reached by its deep link (#finding-...)

The browser is driven over the DevTools protocol (tests/browser.py), with no
network; the same report and Chromium give the same pictures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import Chromium, find_chromium  # noqa: E402

WIDTH, HEIGHT = 1280, 900
FILTER = "#f:status=fail&svc=microsoft.keyvault"


def _scroll_to(browser: Chromium, element_id: str, margin: int = 12) -> None:
    browser.evaluate(
        f"window.scrollTo(0, document.getElementById({element_id!r}).getBoundingClientRect().top + scrollY - {margin})"
    )


def take(report: Path, out: Path) -> list[Path]:
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("screenshots: chromium is not installed (scripts/ensure-chromium installs it)")
    written = []
    with Chromium(chromium, width=WIDTH, height=HEIGHT) as browser:
        browser.open(report.as_uri())
        written.append(out / "summary.png")
        browser.screenshot(written[-1])

        browser.open(report.as_uri() + FILTER)
        _scroll_to(browser, "filters")
        written.append(out / "filtered.png")
        browser.screenshot(written[-1])

        browser.open(report.as_uri())
        # A failing finding, on a resource in PHI scope where the report has one.
        finding = browser.evaluate(
            "(document.querySelector('tr[data-status=fail][data-phi]') || document.querySelector('tr[data-status=fail]')).id"
        )
        browser.evaluate(f"location.hash = {'#' + finding!r}")
        rule = browser.evaluate(f"document.getElementById({finding!r}).closest('details.rule').id")
        _scroll_to(browser, rule)
        written.append(out / "evidence.png")
        browser.screenshot(written[-1])

        problems = browser.problems() + list(browser.evaluate("window.__cspViolations"))
        if problems:
            raise SystemExit(f"screenshots: the page reported problems: {problems}")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path, help="the HTML report (make demo writes out/demo/hipaa-scan-report.html)")
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not args.report.is_file():
        parser.error(f"{args.report}: no such report (run `make demo` first)")
    for path in take(args.report.resolve(), args.out):
        print(f"screenshot: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The findings as CSV, one row per finding, for spreadsheets: the format an
auditor or a remediation owner filters and sorts by hand.

Three choices, each for the spreadsheet reader:

- UTF-8 with a byte order mark. Excel reads a CSV file without one in the
  system's legacy code page, so any non-ASCII resource name, tag or message
  turns into mojibake; with the BOM it reads UTF-8. The cost falls on tools
  that do not expect a BOM (``cut``, ``awk``, a naive parser sees it in the
  first header cell): Python's ``utf-8-sig``, pandas and most CSV libraries
  skip it, and programs have the JSON report, the source of this file.
- Formula injection is neutralised as OWASP recommends: a cell that starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  single quote, so a spreadsheet shows it as text instead of evaluating it.
  Resource names, tags and messages come from the scanned estate, which an
  attacker may control. The rule has no exception, negative numbers
  included: an observed value of ``-1`` is written ``'-1``. A number-shaped
  exception is how such filters get bypassed (``-1+cmd|...``), and every
  value here is text anyway (observed values are JSON).
- RFC 4180: CRLF line ends and every cell quoted (which OWASP also advises,
  so that a separator inside a value can never start a new cell).

It carries findings only. The checklists judged from them (the
specifications, the reference architecture's checklist, a readiness view)
are not findings: rows for them would need a record-type column and columns
that mean nothing for a finding, and would break every sheet and script
that reads this file as one row per finding. They are in the JSON report,
and summarised in the Markdown, JUnit, SARIF and HTML reports.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from hipaa_scan.reporting.view import ReportView

COLUMNS = (
    "rule_id",
    "severity",
    "title",
    "citations",
    "status",
    "resource_id",
    "resource_type",
    "subscription_id",
    "path",
    "observed",
    "expected",
    "message",
    "source",
)

# What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_csv(view: ReportView) -> bytes:
    """Every finding of ``view`` as CSV (UTF-8 with a BOM), in the report's order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    writer.writerows(map(_neutralised, _rows(view)))
    # "replace": a lone surrogate (which JSON can spell) has no UTF-8 form.
    return buffer.getvalue().encode("utf-8-sig", "replace")


def _rows(view: ReportView) -> Iterator[tuple[str, ...]]:
    rules = view.rules
    for f in view.findings:
        rule: Mapping[str, Any] = rules[f["rule_id"]]
        yield (
            f["rule_id"],
            rule["severity"],
            rule["title"],
            "; ".join(rule["citations"]),
            f["status"],
            f["resource_id"],
            f["resource_type"],
            f["subscription_id"] or "",
            f["path"],
            # The observed value as the JSON report states it, so that "1",
            # 1, true and null stay distinguishable.
            json.dumps(f["observed"], ensure_ascii=False),
            f["expected"],
            f["message"],
            view.sources.get(f["resource_id"], ""),
        )


def _neutralised(row: tuple[str, ...]) -> list[str]:
    return ["'" + cell if cell.startswith(_FORMULA_START) else cell for cell in row]

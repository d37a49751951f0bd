"""Report formats: pure functions of a ScanResult or of the JSON document."""

from __future__ import annotations

import enum

REPORT_STEM = "hipaa-scan-report"


class OutputFormat(enum.StrEnum):
    JSON = "json"
    HTML = "html"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    CSV = "csv"
    PDF = "pdf"

    @property
    def filename(self) -> str:
        return REPORT_STEM + _SUFFIXES[self]

    @property
    def derived(self) -> bool:
        """Rendered from a ReportView (the JSON report's content) rather than
        from the report document itself."""
        return self not in (OutputFormat.JSON, OutputFormat.HTML, OutputFormat.PDF)


_SUFFIXES = {
    OutputFormat.JSON: ".json",
    OutputFormat.HTML: ".html",
    OutputFormat.SARIF: ".sarif",
    OutputFormat.JUNIT: ".junit.xml",
    OutputFormat.MARKDOWN: ".md",
    OutputFormat.CSV: ".csv",
    OutputFormat.PDF: ".pdf",
}

"""One read-only view of a scan's results for the formats that derive from
the JSON report (SARIF, JUnit, Markdown, CSV).

It is built either from the in-memory report document of a scan that just
ran, or from a JSON report file read back (`hipaa-scan report`), and both give
the same view, so a format renders the same bytes either way.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hipaa_scan.errors import InputError
from hipaa_scan.model import Finding, Resource
from hipaa_scan.reporting.json_report import REPORT_SCHEMA_VERSION, read_findings


@dataclass(frozen=True)
class ReportView:
    """``manifest`` and ``checklist`` as in the JSON report; ``findings`` one
    flat mapping per finding (rule_id, resource_id, resource_type,
    subscription_id, status, path, observed, expected, message), in the
    report's order (rule id, then resource id); ``sources`` the input file each
    resource came from, where the report says."""

    manifest: Mapping[str, Any]
    checklist: Mapping[str, Any]
    findings: Sequence[Mapping[str, Any]]
    sources: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> ReportView:
        """The view of a scan that just ran (commands.scan's document)."""
        findings: Sequence[Finding] = document["findings"]
        flat = [{**f._asdict(), "status": str(f.status)} for f in findings]
        resources: Sequence[Resource] = document.get("resources") or ()
        return cls(document["manifest"], document["checklist"], flat, {r.id: r.source for r in resources})

    @classmethod
    def from_report(cls, report: Mapping[str, Any], source: str) -> ReportView:
        """The view of a parsed JSON report; ``source`` names the file in errors."""
        version = report.get("schema_version") if isinstance(report, Mapping) else None
        if version != REPORT_SCHEMA_VERSION:
            raise InputError(
                source, f"not a hipaa-scan JSON report of schema {REPORT_SCHEMA_VERSION} (schema_version {version!r})"
            )
        try:
            flat = list(read_findings(report))
            sources = {r["id"]: r["source"] for r in report["resources"] if "source" in r}
            return cls(report["manifest"], report["checklist"], flat, sources)
        except (KeyError, IndexError, TypeError) as exc:
            raise InputError(source, f"malformed JSON report ({type(exc).__name__}: {exc})") from None

    # -- derived, for every format --------------------------------------------
    @functools.cached_property
    def rules(self) -> dict[str, Mapping[str, Any]]:
        """Rule metadata by id (title, severity, citations, rationale, remediation, counts)."""
        return {r["rule_id"]: r for r in self.checklist["rules"]}


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"

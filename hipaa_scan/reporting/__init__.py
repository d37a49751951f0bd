"""Report formats: pure functions of a ScanResult or of the JSON document."""

from __future__ import annotations

import enum


class OutputFormat(enum.StrEnum):
    JSON = "json"
    HTML = "html"

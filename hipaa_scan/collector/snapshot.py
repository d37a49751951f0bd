"""Serialise a collected snapshot: canonical JSON, gzip with no timestamp,
so the same tenant at the same clock gives the same bytes."""

from __future__ import annotations

import gzip
from typing import Any

import orjson


def snapshot_bytes(document: dict[str, Any], *, compress: bool) -> bytes:
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    if not compress:
        return data
    return gzip.compress(data, compresslevel=6, mtime=0)

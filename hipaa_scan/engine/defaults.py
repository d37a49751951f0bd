"""Service defaults as data: what an absent property means, by resource type,
property path and API version (hipaa_scan/data/service-defaults.json).

ARM omits properties left at their default, and a template leaves out what it
does not set; either way the documented default applies, whether it complies
or not. Only where no default is documented does an absent property stay
``unknown`` (or follow the rule's ``when_missing``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hipaa_scan.model import Resource, Semantics


@dataclass(frozen=True, slots=True)
class ServiceDefault:
    type_key: str
    path: str
    value: Any
    since: str | None
    before: str | None
    modes: frozenset[str]
    source: str

    def applies(self, api_version: str | None, semantics: Semantics) -> bool:
        if semantics.value not in self.modes:
            return False
        if api_version is None:
            # Observed state carries no API version: only today's default applies.
            return self.before is None
        version = api_version[:10]
        return (self.since is None or version >= self.since) and (self.before is None or version < self.before)

    def describe(self, type_name: str, api_version: str | None) -> str:
        at = f"@{api_version}" if api_version else ""
        return f"absent; default for {type_name}{at} is {json.dumps(self.value)} ({self.source})"


@dataclass(frozen=True, slots=True)
class ChildDefault:
    """A child a template's resource does not declare, as the service creates it."""

    type_key: str
    name: str
    properties: Mapping[str, Any]
    modes: frozenset[str]
    source: str


@functools.cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("hipaa_scan.data").joinpath("service-defaults.json").read_text("utf-8")
    )
    return data


@functools.cache
def child_defaults() -> dict[str, ChildDefault]:
    return {
        entry["type"].lower(): ChildDefault(
            entry["type"].lower(), entry["name"], entry["properties"], frozenset(entry["modes"]), entry["source"]
        )
        for entry in _table().get("children", [])
    }


def child_default(parent: Resource, child_type: str) -> ChildDefault | None:
    """What an undeclared child of ``parent`` is, when documented."""
    entry = child_defaults().get(child_type.lower())
    if entry is None or parent.semantics.value not in entry.modes:
        return None
    return entry


@functools.cache
def service_defaults() -> dict[tuple[str, str], tuple[ServiceDefault, ...]]:
    data = _table()
    table: dict[tuple[str, str], list[ServiceDefault]] = {}
    for entry in data["defaults"]:
        versions = entry.get("api_versions", {})
        item = ServiceDefault(
            type_key=entry["type"].lower(),
            path=entry["path"],
            value=entry["value"],
            since=versions.get("from"),
            before=versions.get("before"),
            modes=frozenset(entry["modes"]),
            source=entry["source"],
        )
        table.setdefault((item.type_key, item.path.lower()), []).append(item)
    return {key: tuple(items) for key, items in table.items()}


def default_for(resource: Resource, path: str) -> tuple[ServiceDefault, str | None] | None:
    """The default that applies to ``path`` of this resource, and its API version."""
    candidates = service_defaults().get((resource.type_key, path.lower()))
    if not candidates:
        return None
    api = resource.raw.get("apiVersion")
    api_version = api if isinstance(api, str) else None
    for item in candidates:
        if item.applies(api_version, resource.semantics):
            return item, api_version
    return None

"""Recognise the shape of a parsed JSON document and extract its resources.

Shapes, tried in this order:
  * Az PowerShell        Get-AzResource -ExpandProperties | ConvertTo-Json: PSResource objects
                         {"ResourceId": ..., "ResourceType": ..., "Properties": {...}} as an array, one
                         object, or Windows PowerShell 5.1's {"value": [...], "Count": n} (see powershell.py)
  * hipaa-scan snapshot  {"kind": "hipaa-scan-snapshot", "schema_version": 1, "manifest": {...}, "resources": [...]}
  * x-ms-examples file   {"parameters": {...}, "responses": {"200": {"body": ...}}}
  * ARM template         {"$schema": ".../deploymentTemplate.json#", "resources": [...]}
  * Resource Graph       {"data": [...]} / {"data": {"columns": [...], "rows": [...]}} / bare array
  * ARM REST page        {"value": [...], "nextLink": ...}
  * single resource      {"id": ..., "type": ..., ...} (ARM GET, az resource show)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hipaa_scan.errors import InputError
from hipaa_scan.loaders.arm import json_kind, to_resource
from hipaa_scan.loaders.powershell import POWERSHELL_FORMAT, is_powershell_export, powershell_resources
from hipaa_scan.loaders.template import flatten_template, is_parameters_file, is_template
from hipaa_scan.model import CoverageGap, Resource, Semantics

SNAPSHOT_KIND = "hipaa-scan-snapshot"
SNAPSHOT_SCHEMA_VERSION = 1


@dataclass
class Extracted:
    format: str
    resources: list[Resource]
    collected_at: str | None = None
    tenants: list[str] = field(default_factory=list)
    complete_types: list[str] = field(default_factory=list)
    subscriptions: list[str] = field(default_factory=list)
    # Per-subscription completeness, as a live collection records it.
    complete_by_subscription: dict[str, list[str]] = field(default_factory=dict)
    graph: dict[str, dict[str, Any]] = field(default_factory=dict)
    gaps: list[CoverageGap] = field(default_factory=list)
    closed_parents: list[str] = field(default_factory=list)
    semantics: Semantics = Semantics.OBSERVED


def extract(
    document: Any,
    source: str,
    stem: str,
    parameters: Mapping[str, Any] | None = None,
    template_mode: Semantics = Semantics.DESIRED,
) -> Extracted:
    if is_powershell_export(document):
        return Extracted(POWERSHELL_FORMAT, powershell_resources(document, source))
    if isinstance(document, list):
        return Extracted(_list_format(document), _rows(document, source, ""))
    if not isinstance(document, Mapping):
        raise InputError(
            source, f"top-level JSON is {json_kind(document)}; expected an object or an array of resources"
        )
    if document.get("kind") == SNAPSHOT_KIND:
        return _native(document, source)
    if "responses" in document and "parameters" in document:
        return _example(document, source, stem)
    if is_template(document):
        missing: list[str] = []
        resources = flatten_template(document, source, stem, parameters, template_mode, missing)
        # Desired state: what a declared resource's template leaves out will not exist.
        closed = [r.key for r in resources if r.semantics is Semantics.DESIRED]
        gaps = [CoverageGap(source, "Microsoft.Resources/deployments", 0, text) for text in missing]
        return Extracted("arm-template", resources, closed_parents=closed, semantics=template_mode, gaps=gaps)
    if is_parameters_file(document):
        raise InputError(source, "an ARM parameters file, not resources: pass it with --parameters")
    if "data" in document:
        return Extracted("resource-graph", _graph_rows(document["data"], source))
    if "value" in document:
        page = document["value"]
        if not isinstance(page, list):
            raise InputError(source, f"'value' is {json_kind(page)}, expected an array of resources")
        return Extracted("arm-rest-list", _rows(page, source, "value"))
    if "id" in document and "type" in document:
        return Extracted("arm-resource", [to_resource(document, source, "resource")])
    keys = ", ".join(sorted(str(k) for k in document)[:8]) or "none"
    raise InputError(
        source,
        "unrecognised JSON shape (expected a hipaa-scan snapshot, Resource Graph, az CLI or Az PowerShell output, "
        f"an ARM REST response or an ARM template; top-level keys: {keys})",
    )


def _list_format(rows: list[Any]) -> str:
    # Resource Graph rows carry tenantId and lower-case types; az CLI output does not.
    first = rows[0] if rows else None
    if isinstance(first, Mapping) and "tenantId" in first:
        return "resource-graph"
    return "az-cli"


def _rows(rows: list[Any], source: str, prefix: str) -> list[Resource]:
    label = f"{prefix}[{{}}]" if prefix else "[{}]"
    return [to_resource(row, source, label, index=i) for i, row in enumerate(rows)]


def _graph_rows(data: Any, source: str) -> list[Resource]:
    if isinstance(data, list):
        return _rows(data, source, "data")
    if isinstance(data, Mapping) and isinstance(data.get("columns"), list) and isinstance(data.get("rows"), list):
        # The older table shape: {"columns": [{"name": ...}], "rows": [[...]]}.
        names = [c.get("name") if isinstance(c, Mapping) else None for c in data["columns"]]
        out = []
        for i, row in enumerate(data["rows"]):
            if not isinstance(row, list) or len(row) != len(names):
                raise InputError(source, f"data.rows[{i}]: expected an array of {len(names)} cells")
            out.append(to_resource(dict(zip(names, row, strict=True)), source, f"data.rows[{i}]"))
        return out
    raise InputError(source, f"'data' is {json_kind(data)}, expected an array of Resource Graph rows")


def _example(document: Mapping[str, Any], source: str, stem: str) -> Extracted:
    responses = document.get("responses")
    body = None
    if isinstance(responses, Mapping):
        for code in ("200", "201"):
            entry = responses.get(code)
            if isinstance(entry, Mapping) and "body" in entry:
                body = entry["body"]
                break
    if body is None:
        raise InputError(source, "REST example has no responses['200'].body")
    inner = extract(body, source, stem)
    inner.format = f"arm-rest-example/{inner.format}"
    return inner


def _native(document: Mapping[str, Any], source: str) -> Extracted:
    version = document.get("schema_version")
    if version != SNAPSHOT_SCHEMA_VERSION:
        raise InputError(
            source, f"snapshot schema_version {version!r} is not supported (this tool reads {SNAPSHOT_SCHEMA_VERSION})"
        )
    manifest = document.get("manifest")
    if not isinstance(manifest, Mapping):
        raise InputError(source, f"snapshot 'manifest' is {json_kind(manifest)}, expected an object")
    resources = document.get("resources")
    if not isinstance(resources, list):
        raise InputError(source, f"snapshot 'resources' is {json_kind(resources)}, expected an array")
    collected_at = manifest.get("collected_at")
    if collected_at is not None and not isinstance(collected_at, str):
        raise InputError(source, "manifest.collected_at must be an RFC 3339 string")
    return Extracted(
        "hipaa-scan-snapshot",
        _rows(resources, source, "resources"),
        complete_by_subscription=_complete_by_subscription(manifest.get("complete_types_by_subscription", {}), source),
        graph=_graph(document.get("graph", {}), source),
        gaps=_gaps(manifest.get("gaps", []), source),
        collected_at=collected_at,
        tenants=_strings(manifest.get("tenants", []), source, "manifest.tenants"),
        subscriptions=[
            s.lower() for s in _strings(manifest.get("subscriptions", []), source, "manifest.subscriptions")
        ],
        complete_types=[
            t.lower() for t in _strings(manifest.get("complete_types", []), source, "manifest.complete_types")
        ],
    )


def _complete_by_subscription(value: Any, source: str) -> dict[str, list[str]]:
    where = "manifest.complete_types_by_subscription"
    if not isinstance(value, Mapping):
        raise InputError(source, f"{where} is {json_kind(value)}, expected an object of subscription -> types")
    return {
        str(sub).lower(): [t.lower() for t in _strings(types, source, f"{where}.{sub}")] for sub, types in value.items()
    }


def _graph(value: Any, source: str) -> dict[str, dict[str, Any]]:
    """``graph``: tenant id -> Microsoft Graph datasets (see hipaa_scan.entra)."""
    if not isinstance(value, Mapping):
        raise InputError(source, f"snapshot 'graph' is {json_kind(value)}, expected an object of tenant id -> datasets")
    out: dict[str, dict[str, Any]] = {}
    for tenant, datasets in value.items():
        if not isinstance(datasets, Mapping):
            raise InputError(source, f"graph.{tenant} is {json_kind(datasets)}, expected an object of datasets")
        out[str(tenant).lower()] = dict(datasets)
    return out


def _gaps(value: Any, source: str) -> list[CoverageGap]:
    if not isinstance(value, list):
        raise InputError(source, f"manifest.gaps is {json_kind(value)}, expected an array")
    out = []
    for i, gap in enumerate(value):
        if not isinstance(gap, Mapping):
            raise InputError(source, f"manifest.gaps[{i}] is {json_kind(gap)}, expected an object")
        scope, api, status, message = (gap.get(k) for k in ("scope", "api", "status", "message"))
        if not (
            isinstance(scope, str) and isinstance(api, str) and isinstance(status, int) and isinstance(message, str)
        ):
            raise InputError(source, f"manifest.gaps[{i}]: needs string scope, api, message and integer status")
        out.append(CoverageGap(scope, api, status, message))
    return out


def _strings(value: Any, source: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(source, f"{where} must be an array of strings")
    return list(value)

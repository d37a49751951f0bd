"""Input loaders: files, .gz files and directories of exports -> one Snapshot."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from hipaa_scan.errors import InputError
from hipaa_scan.gcpause import gc_paused
from hipaa_scan.loaders.formats import SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION, extract
from hipaa_scan.loaders.reader import read_document
from hipaa_scan.loaders.template import parameter_values
from hipaa_scan.model import ANY_SUBSCRIPTION, CoverageGap, InputFile, Resource, Semantics, Snapshot

__all__ = ["SNAPSHOT_KIND", "SNAPSHOT_SCHEMA_VERSION", "expand_paths", "load_inputs"]

_SUFFIXES = (".json", ".json.gz", ".gz")


def expand_paths(paths: Sequence[str]) -> list[tuple[Path, str]]:
    """Each input as (path, display name). Directories are walked
    recursively in sorted order so the scan is reproducible."""
    out: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_SUFFIXES))
            if not found:
                raise InputError(given, "directory holds no .json or .json.gz files")
            out.extend((p, p.as_posix()) for p in found)
        elif path.is_file():
            out.append((path, given))
        else:
            raise InputError(given, "no such file or directory")
    return out


@gc_paused()
def load_inputs(
    paths: Sequence[str], parameter_files: Sequence[str] = (), template_mode: Semantics = Semantics.DESIRED
) -> Snapshot:
    """Load every input and merge them into one snapshot.

    When two inputs describe the same resource id, the one that carries a
    ``properties`` block wins over a thin listing; otherwise the first seen.
    ``parameter_files`` are ARM parameters files whose values every template
    uses (a later file wins); they are listed, with their digests, as inputs.
    """
    files: list[InputFile] = []
    parameters: dict[str, Any] = {}
    for path, source in expand_paths(parameter_files):
        raw = read_document(path, source)
        parameters.update(parameter_values(raw.document, source))
        files.append(InputFile(source, raw.sha256, raw.size, "arm-parameters", 0))
    by_key: dict[str, Resource] = {}
    collected: list[str] = []
    tenants: set[str] = set()
    complete: dict[str, set[str]] = {}
    graph: dict[str, dict[str, Any]] = {}
    gaps: list[CoverageGap] = []
    closed: set[str] = set()
    for path, source in expand_paths(paths):
        raw = read_document(path, source)
        stem = path.name.split(".", 1)[0] or "template"
        extracted = extract(raw.document, source, stem, parameters, template_mode)
        files.append(
            InputFile(source, raw.sha256, raw.size, extracted.format, len(extracted.resources), extracted.semantics)
        )
        closed.update(extracted.closed_parents)
        _merge(by_key, extracted.resources)
        if extracted.collected_at:
            collected.append(extracted.collected_at)
        tenants.update(t.lower() for t in extracted.tenants)
        # A manifest's completeness claim covers its own subscriptions only.
        scopes = set(extracted.subscriptions) or {s for r in extracted.resources if (s := r.subscription_id)}
        for type_key in extracted.complete_types:
            complete.setdefault(type_key, set()).update(scopes or {ANY_SUBSCRIPTION})
        for sub, type_keys in extracted.complete_by_subscription.items():
            for type_key in type_keys:
                complete.setdefault(type_key, set()).add(sub)
        for tenant, datasets in extracted.graph.items():
            graph.setdefault(tenant, {}).update(datasets)
        gaps.extend(extracted.gaps)
    tenants.update(_tenants_of(by_key.values()))
    tenants.update(graph)
    return Snapshot(
        resources=tuple(by_key.values()),
        inputs=tuple(files),
        # The earliest collection time is the honest one for a merged estate.
        collected_at=min(collected) if collected else None,
        tenants=tuple(sorted(tenants)),
        complete_types={t: frozenset(s) for t, s in sorted(complete.items())},
        graph=dict(sorted(graph.items())),
        gaps=tuple(sorted(set(gaps), key=lambda g: (g.scope, g.api, g.status, g.message))),
        closed_parents=frozenset(closed),
    )


def _merge(by_key: dict[str, Resource], resources: Iterable[Resource]) -> None:
    for resource in resources:
        existing = by_key.get(resource.key)
        if existing is None or (resource.properties_collected and not existing.properties_collected):
            by_key[resource.key] = resource


def _tenants_of(resources: Iterable[Resource]) -> set[str]:
    out = set()
    for resource in resources:
        tenant = resource.raw.get("tenantId")
        if isinstance(tenant, str) and tenant:
            out.add(tenant.lower())
    return out

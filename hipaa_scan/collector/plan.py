"""Derive the collection plan from what the loaded rules read.

Each rule declares its ``resource_types`` and the other types it ``reads``;
the plan fetches exactly those, from the cheapest source that has them:
Resource Graph for the inventory, ARM GETs only for child and extension
settings Resource Graph lacks, Microsoft Graph only when an identity rule is
loaded. Nothing here is a second hand-kept list of what rules need.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hipaa_scan.collector.catalogue import (
    ARM_DETAIL_TYPES,
    EXTENSION_TYPES,
    INLINE_CHILD_TYPES,
    SUBSCRIPTION,
    graph_table,
)
from hipaa_scan.entra import DATASETS, TENANT_TYPE, graph_type

SUBSCRIPTION_TYPE = SUBSCRIPTION
GRAPH_PREFIX = graph_type("").lower()


@dataclass(frozen=True, slots=True)
class RuleNeeds:
    """What one rule reads: its own resource types and the related ones."""

    resource_types: tuple[str, ...]
    reads: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DetailCall:
    """List ``type_key`` under every resource of ``scope_types``:
    ``{parent}/{segment}`` for a child, ``{scope}/providers/{type}`` for an extension."""

    type_key: str
    api_version: str
    scope_types: frozenset[str]
    extension: bool

    def path(self, scope_id: str, canonical: str) -> str:
        if self.extension:
            return f"{scope_id}/providers/{canonical}"
        return f"{scope_id}/{canonical.rsplit('/', 1)[1]}"


@dataclass(frozen=True, slots=True)
class CollectionPlan:
    # Resource Graph table -> lower-cased types to list from it.
    inventory: dict[str, tuple[str, ...]]
    details: tuple[DetailCall, ...]
    graph_datasets: tuple[str, ...]
    # Lower-cased type -> the spelling the rules use, to undo Resource Graph's lower-casing.
    canonical: dict[str, str]
    # Types no source can list (reported as gaps).
    unsupported: tuple[str, ...]

    @property
    def inventory_types(self) -> frozenset[str]:
        return frozenset(t for types in self.inventory.values() for t in types)


def build_plan(needs: Sequence[RuleNeeds], *, graph: bool = True) -> CollectionPlan:
    canonical: dict[str, str] = {}
    scopes: dict[str, set[str]] = {}
    for need in needs:
        for t in (*need.resource_types, *need.reads):
            canonical.setdefault(t.lower(), t)
        own = {t.lower() for t in need.resource_types}
        for t in need.reads:
            scopes.setdefault(t.lower(), set()).update(own)
    wanted = set(canonical)
    details: list[DetailCall] = []
    inventory: set[str] = set()
    unsupported: list[str] = []
    for type_key in sorted(wanted):
        if type_key in (SUBSCRIPTION_TYPE, TENANT_TYPE.lower()) or type_key.startswith(GRAPH_PREFIX):
            continue  # subscriptions come with the scope, the tenant and its datasets from Microsoft Graph
        if type_key in INLINE_CHILD_TYPES:
            continue  # carried inline by the parent
        if type_key in ARM_DETAIL_TYPES:
            extension = type_key in EXTENSION_TYPES
            if extension:
                scope_types = set(EXTENSION_TYPES[type_key] or scopes.get(type_key, set()))
            else:
                scope_types = {type_key.rsplit("/", 1)[0]}
            if not scope_types:
                unsupported.append(type_key)
                continue
            details.append(DetailCall(type_key, ARM_DETAIL_TYPES[type_key], frozenset(scope_types), extension))
            inventory.update(t for t in scope_types if t != SUBSCRIPTION_TYPE and t not in ARM_DETAIL_TYPES)
            continue
        inventory.add(type_key)
    for call in details:
        for t in call.scope_types:
            canonical.setdefault(t, t)
    tables: dict[str, list[str]] = {}
    for type_key in sorted(inventory):
        tables.setdefault(graph_table(type_key), []).append(type_key)
    datasets = tuple(d.name for d in DATASETS if graph_type(d.name).lower() in wanted)
    return CollectionPlan(
        inventory={table: tuple(types) for table, types in sorted(tables.items())},
        details=tuple(details),
        graph_datasets=datasets if graph else (),
        canonical=canonical,
        unsupported=tuple(unsupported),
    )


def batched(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

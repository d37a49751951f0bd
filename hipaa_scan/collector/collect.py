"""One collection run: subscriptions, inventory, settings, Microsoft Graph.

Read-only, concurrent where it pays, and honest: anything that could not be
read becomes a coverage gap in the manifest, and a type counts as complete in
a subscription only when every call that lists it there succeeded.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from azure.core.credentials import TokenCredential
from azure.mgmt.resourcegraph import ResourceGraphClient

from hipaa_scan import __version__
from hipaa_scan.collector import graph as graph_phase
from hipaa_scan.collector.clouds import Cloud
from hipaa_scan.collector.http import RequestStats, pipeline_client, policies, transport
from hipaa_scan.collector.inventory import (
    SUBSCRIPTION_BATCH,
    SUBSCRIPTIONS_QUERY,
    QueryFailure,
    Subscription,
    query_all,
    subscriptions_of,
    type_query,
)
from hipaa_scan.collector.paging import Failure, list_all
from hipaa_scan.collector.plan import SUBSCRIPTION_TYPE, CollectionPlan, DetailCall, batched
from hipaa_scan.collector.redact import MARKER, redact
from hipaa_scan.entra import tenant_resource_id
from hipaa_scan.model import CoverageGap, subscription_of

SNAPSHOT_KIND = "hipaa-scan-snapshot"
SNAPSHOT_SCHEMA_VERSION = 1
RESOURCE_GRAPH_API = "2021-03-01"
GRAPH_API = "v1.0"
# Listings that must be asked for "at this scope and above" only.
AT_SCOPE = {
    "microsoft.authorization/policyassignments",
    "microsoft.authorization/roleassignmentscheduleinstances",
    "microsoft.authorization/roleeligibilityscheduleinstances",
}

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class CollectOptions:
    cloud: Cloud
    collected_at: datetime
    tenant: str | None = None
    subscriptions: tuple[str, ...] = ()
    management_group: str | None = None
    break_glass: tuple[str, ...] = ()
    concurrency: int = 16


@dataclass
class Collection:
    document: dict[str, Any]
    stats: RequestStats
    gaps: list[CoverageGap]
    redactions: int


@dataclass
class _Coverage:
    """Which (subscription, type) listings succeeded, and what failed."""

    failed: dict[tuple[str, str], list[Failure]] = field(default_factory=lambda: defaultdict(list))
    attempted: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, scope: str, api: str, failure: Failure | None) -> None:
        with self.lock:
            self.attempted[(scope, api)] += 1
            if failure is not None:
                self.failed[(scope, api)].append(failure)

    def complete(self, subscription: str, api: str) -> bool:
        return (f"/subscriptions/{subscription}", api) not in self.failed

    def gaps(self) -> list[CoverageGap]:
        out = []
        for (scope, api), failures in self.failed.items():
            first = failures[0]
            total = self.attempted[(scope, api)]
            count = f" ({len(failures)} of {total} calls)" if total > 1 else ""
            out.append(CoverageGap(scope, api, first.status, f"{first.message}{count}"))
        return out


def collect(
    options: CollectOptions,
    plan: CollectionPlan,
    credential: TokenCredential,
    progress: Progress | None = None,
) -> Collection:
    report = progress or (lambda phase, done, total: None)
    stats = RequestStats()
    coverage = _Coverage()
    pool = transport(options.concurrency + 4)
    cloud = options.cloud
    arm = pipeline_client(cloud.arm_endpoint, credential, cloud.arm_scope, stats, pool, arm=True)
    resource_graph = ResourceGraphClient(
        credential,
        base_url=cloud.arm_endpoint,
        credential_scopes=[cloud.arm_scope],
        policies=policies(credential, cloud.arm_scope, stats, arm=True),
        transport=pool,
    )
    try:
        subscriptions = _subscriptions(resource_graph, options, coverage, report)
        sub_ids = [s.id for s in subscriptions]
        resources = _inventory(resource_graph, plan, sub_ids, coverage, report)
        resources.extend(_subscription_resources(subscriptions))
        resources.extend(_details(arm, plan, resources, sub_ids, coverage, options.concurrency, report))
        tenant = _tenant(options, subscriptions)
        graph: dict[str, dict[str, Any]] = {}
        if plan.graph_datasets and tenant:
            graph_client = pipeline_client(cloud.graph_endpoint, credential, cloud.graph_scope, stats, pool, arm=False)
            datasets, failures = graph_phase.collect_datasets(
                graph_client,
                plan.graph_datasets,
                principals=graph_phase.privileged_principals(resources, options.break_glass),
                concurrency=options.concurrency,
                progress=report,
            )
            graph[tenant] = datasets
            for name, failure in failures.items():
                coverage.record(tenant_resource_id(tenant), f"graph:{name}", failure)
    finally:
        pool.close()
    gaps = sorted(coverage.gaps(), key=lambda g: (g.scope, g.api))
    gaps.extend(
        CoverageGap(f"/subscriptions/{sub}", t, 0, "no API is known to list this type; rules reading it are unknown")
        for sub in sub_ids
        for t in plan.unsupported
    )
    if plan.graph_datasets and not tenant:
        gaps.append(
            CoverageGap("/", "graph", 0, "subscriptions of several tenants (or none) in scope: name one with --tenant")
        )
    document, redactions = _document(options, plan, subscriptions, tenant, resources, graph, coverage, gaps)
    return Collection(document=document, stats=stats, gaps=gaps, redactions=redactions)


def _document(
    options: CollectOptions,
    plan: CollectionPlan,
    subscriptions: Sequence[Subscription],
    tenant: str | None,
    resources: Sequence[dict[str, Any]],
    graph: dict[str, dict[str, Any]],
    coverage: _Coverage,
    gaps: Sequence[CoverageGap],
) -> tuple[dict[str, Any], int]:
    """The snapshot: manifest, redacted resources sorted by id, Graph datasets."""
    cloud = options.cloud
    sub_ids = [s.id for s in subscriptions]
    cleaned, redactions = _clean(resources, plan)
    graph_clean, graph_redactions = redact({t: graph_phase.sorted_datasets(d) for t, d in graph.items()})
    redactions += graph_redactions
    document = {
        "kind": SNAPSHOT_KIND,
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "manifest": {
            "tool": f"hipaa-scan {__version__} collector",
            "collected_at": options.collected_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "cloud": {
                "name": cloud.name,
                "authority_host": cloud.authority_host,
                "arm_endpoint": cloud.arm_endpoint,
                "graph_endpoint": cloud.graph_endpoint,
            },
            "tenants": sorted({s.tenant_id for s in subscriptions if s.tenant_id} | ({tenant} if tenant else set())),
            "subscriptions": sub_ids,
            "management_group": options.management_group,
            "complete_types_by_subscription": _complete(plan, sub_ids, coverage),
            "api_versions": {
                "Microsoft.ResourceGraph/resources": RESOURCE_GRAPH_API,
                **{plan.canonical.get(c.type_key, c.type_key): c.api_version for c in plan.details},
                **({"Microsoft Graph": GRAPH_API} if graph else {}),
            },
            "gaps": [{"scope": g.scope, "api": g.api, "status": g.status, "message": g.message} for g in gaps],
            "redactions": redactions,
        },
        "resources": cleaned,
        "graph": graph_clean,
    }
    return document, redactions


def _subscriptions(
    client: ResourceGraphClient, options: CollectOptions, coverage: _Coverage, report: Progress
) -> list[Subscription]:
    report("subscriptions", 0, 1)
    rows = query_all(
        client,
        SUBSCRIPTIONS_QUERY,
        subscriptions=options.subscriptions or None,
        management_groups=[options.management_group] if options.management_group else None,
    )
    if isinstance(rows, QueryFailure):
        scope = (
            f"/providers/Microsoft.Management/managementGroups/{options.management_group}"
            if options.management_group
            else "/"
        )
        coverage.record(scope, "Microsoft.Resources/subscriptions", Failure(rows.status, rows.message))
        report("subscriptions", 1, 1)
        return []
    found = subscriptions_of(rows)
    if options.tenant:
        found = [s for s in found if s.tenant_id == options.tenant.lower()]
    visible = {s.id for s in found}
    for wanted in options.subscriptions:
        if wanted.lower() not in visible:
            coverage.record(
                f"/subscriptions/{wanted.lower()}",
                "Microsoft.Resources/subscriptions",
                Failure(403, "subscription is not visible to this identity (no role assignment, or another tenant)"),
            )
    report("subscriptions", 1, 1)
    return found


def _inventory(
    client: ResourceGraphClient,
    plan: CollectionPlan,
    sub_ids: Sequence[str],
    coverage: _Coverage,
    report: Progress,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not sub_ids:
        return rows
    jobs = [
        (table, types, batch)
        for table, types in plan.inventory.items()
        for batch in batched(sub_ids, SUBSCRIPTION_BATCH)
    ]
    report("inventory", 0, len(jobs))
    for done, (table, types, batch) in enumerate(jobs, start=1):
        result = query_all(client, type_query(table, types), subscriptions=batch)
        if isinstance(result, QueryFailure):
            for sub in batch:
                for t in types:
                    coverage.record(
                        f"/subscriptions/{sub}", plan.canonical.get(t, t), Failure(result.status, result.message)
                    )
        else:
            rows.extend(result)
        report("inventory", done, len(jobs))
    return rows


def _subscription_resources(subscriptions: Iterable[Subscription]) -> list[dict[str, Any]]:
    # Subscription-scope rules (Defender plans, activity log export) need every
    # subscription, including one that holds no resource of a type rules read.
    return [
        {
            "id": f"/subscriptions/{s.id}",
            "type": "Microsoft.Resources/subscriptions",
            "name": s.id,
            "displayName": s.name,
            "subscriptionId": s.id,
            "tenantId": s.tenant_id,
        }
        for s in subscriptions
    ]


def _details(
    client: Any,
    plan: CollectionPlan,
    inventory: Sequence[dict[str, Any]],
    sub_ids: Sequence[str],
    coverage: _Coverage,
    concurrency: int,
    report: Progress,
) -> list[dict[str, Any]]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for row in inventory:
        rid, rtype = row.get("id"), row.get("type")
        if isinstance(rid, str) and isinstance(rtype, str):
            by_type[rtype.lower()].append(rid)
    by_type[SUBSCRIPTION_TYPE] = [f"/subscriptions/{s}" for s in sub_ids]
    tasks: list[tuple[DetailCall, str]] = [
        (call, scope) for call in plan.details for t in sorted(call.scope_types) for scope in by_type.get(t, ())
    ]
    found: list[dict[str, Any]] = []
    lock = threading.Lock()
    done = [0]
    report("settings", 0, len(tasks))

    def run(task: tuple[DetailCall, str]) -> None:
        call, scope = task
        canonical = plan.canonical.get(call.type_key, call.type_key)
        query = f"?api-version={call.api_version}" + (
            "&$filter=" + quote("atScope()") if call.type_key in AT_SCOPE else ""
        )
        items = list_all(client, call.path(scope, canonical) + query, phase="settings", api=canonical)
        sub = subscription_of(scope) or ""
        failure = None
        if isinstance(items, Failure):
            # 404: the parent went away between inventory and now; nothing to list.
            failure = None if items.status == 404 else items
            items = []
        coverage.record(f"/subscriptions/{sub}", canonical, failure)
        with lock:
            found.extend(item for item in items if isinstance(item, dict))
            done[0] += 1
            report("settings", done[0], len(tasks))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(run, tasks))
    return found


def _tenant(options: CollectOptions, subscriptions: Sequence[Subscription]) -> str | None:
    if options.tenant:
        return options.tenant.lower()
    tenants = sorted({s.tenant_id for s in subscriptions if s.tenant_id})
    return tenants[0] if len(tenants) == 1 else None


def _complete(plan: CollectionPlan, sub_ids: Sequence[str], coverage: _Coverage) -> dict[str, list[str]]:
    """Types listed completely per subscription. A child or extension type is
    complete only where every listing of it succeeded and so did the inventory
    of the resources it hangs off: children of parents never seen are not "none"."""
    name = plan.canonical.get
    inventory = sorted(name(t, t) for t in plan.inventory_types)
    out: dict[str, list[str]] = {}
    for sub in sub_ids:
        types = {t for t in inventory if coverage.complete(sub, t)}
        for call in plan.details:
            scopes = [name(t, t) for t in call.scope_types if t != SUBSCRIPTION_TYPE]
            if coverage.complete(sub, name(call.type_key, call.type_key)) and all(
                coverage.complete(sub, s) for s in scopes
            ):
                types.add(name(call.type_key, call.type_key))
        out[sub] = sorted(types)
    return out


def _clean(resources: Sequence[dict[str, Any]], plan: CollectionPlan) -> tuple[list[dict[str, Any]], int]:
    """Canonical type spelling, no secrets, one copy per id, sorted by id."""
    by_id: dict[str, dict[str, Any]] = {}
    redactions = 0
    for row in resources:
        rid, rtype = row.get("id"), row.get("type")
        if not isinstance(rid, str) or not isinstance(rtype, str):
            continue
        row = {**row, "type": plan.canonical.get(rtype.lower(), rtype)}
        props = row.get("properties")
        if rtype.lower() == "microsoft.keyvault/vaults/secrets" and isinstance(props, dict) and props.get("value"):
            row["properties"] = {**props, "value": MARKER}
            redactions += 1
        cleaned, count = redact(row)
        redactions += count
        by_id.setdefault(rid.lower(), cleaned)
    return [by_id[k] for k in sorted(by_id)], redactions

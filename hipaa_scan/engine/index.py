"""Index the snapshot once so rules find related resources in O(1):
by id, by type, children of a parent, and extension resources on a scope."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from hipaa_scan.entra import TENANT_TYPE, tenant_resource_id
from hipaa_scan.model import Resource, Snapshot

SUBSCRIPTION_TYPE = "Microsoft.Resources/subscriptions"


class Related(NamedTuple):
    """Resources related to one parent, and whether absence is meaningful.

    ``complete`` is true when the input enumerated this type exhaustively, so
    an empty ``items`` means "none exists" rather than "not exported".
    """

    items: tuple[Resource, ...]
    complete: bool

    @property
    def known(self) -> bool:
        return bool(self.items) or self.complete


def parent_and_scope(resource_id: str) -> tuple[str | None, str | None]:
    """(parent id, extension scope id) of an ARM id, lower-cased.

    ``.../servers/s1/databases/d1`` has parent ``.../servers/s1``.
    ``{scope}/providers/Microsoft.Insights/diagnosticSettings/x`` has scope ``{scope}``
    when that scope is a resource or a subscription.
    """
    key = resource_id.lower().rstrip("/")
    at = key.rfind("/providers/")
    if at < 0:
        return None, None
    prefix, tail = key[:at], key[at + len("/providers/") :]
    segments = tail.split("/")
    # segments = [namespace, type1, name1, type2, name2, ...]
    pairs = (len(segments) - 1) // 2
    if pairs >= 2:
        return f"{prefix}/providers/" + "/".join(segments[: len(segments) - 2]), None
    if "/providers/" in prefix or _is_subscription(prefix):
        return None, prefix
    return None, None


def _is_subscription(scope: str) -> bool:
    parts = scope.split("/")
    return len(parts) == 3 and parts[1] == "subscriptions"


class ResourceIndex:
    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        resources = list(snapshot.resources)
        self._by_id: dict[str, Resource] = {}
        for resource in resources:
            self._by_id[resource.key] = resource
        for sub in sorted({s for r in resources if (s := r.subscription_id)}):
            key = f"/subscriptions/{sub}"
            if key not in self._by_id:
                self._by_id[key] = _synthetic_subscription(sub)
        for tenant in sorted(set(snapshot.tenants) | set(snapshot.graph)):
            self._by_id.setdefault(tenant_resource_id(tenant), _tenant(tenant, snapshot))
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        # Keyed by (parent or scope id, type) so a lookup never filters a list.
        self._children: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        self._extensions: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        for resource in self._by_id.values():
            self._by_type[resource.type_key].append(resource)
            parent, scope = parent_and_scope(resource.id)
            if parent:
                self._children[(parent, resource.type_key)].append(resource)
            if scope:
                self._extensions[(scope, resource.type_key)].append(resource)

    def __len__(self) -> int:
        return len(self._by_id)

    def in_order(self) -> list[Resource]:
        """Every resource, ordered by lower-cased id: the order of findings."""
        return sorted(self._by_id.values(), key=lambda r: r.key)

    def get(self, resource_id: str) -> Resource | None:
        return self._by_id.get(resource_id.lower().rstrip("/"))

    def of_type(self, resource_type: str) -> tuple[Resource, ...]:
        return tuple(self._by_type.get(resource_type.lower(), ()))

    def children(self, parent: Resource, child_type: str) -> Related:
        wanted = child_type.lower()
        items = tuple(self._children.get((parent.key, wanted), ()))
        return Related(items, self._closed(parent) or self._snapshot.is_complete(wanted, parent.subscription_id))

    def extensions(self, scope: Resource, extension_type: str) -> Related:
        wanted = extension_type.lower()
        items = tuple(self._extensions.get((scope.key, wanted), ()))
        return Related(items, self._closed(scope) or self._snapshot.is_complete(wanted, scope.subscription_id))

    def _closed(self, resource: Resource) -> bool:
        """A resource a template declares: what it leaves out will not exist."""
        return resource.key in self._snapshot.closed_parents

    def is_complete(self, resource_type: str, subscription_id: str | None) -> bool:
        return self._snapshot.is_complete(resource_type.lower(), subscription_id)

    def parent(self, resource: Resource) -> Resource | None:
        parent, _ = parent_and_scope(resource.id)
        return self._by_id.get(parent) if parent else None

    def subscription(self, resource: Resource) -> Resource | None:
        sub = resource.subscription_id
        return self._by_id.get(f"/subscriptions/{sub}") if sub else None


def _synthetic_subscription(sub: str) -> Resource:
    # Subscriptions are rarely exported as resources; subscription-scope rules
    # (Defender plans, activity log export) hang off this stand-in.
    rid = f"/subscriptions/{sub}"
    return Resource(
        id=rid,
        type=SUBSCRIPTION_TYPE,
        name=sub,
        location=None,
        raw={"id": rid, "type": SUBSCRIPTION_TYPE, "subscriptionId": sub},
        source="(derived from resource ids)",
        properties_collected=False,
    )


def _tenant(tenant: str, snapshot: Snapshot) -> Resource:
    # Identity checks hang off one resource per tenant. Without Graph data its
    # properties were not collected, so every identity rule reports unknown.
    rid = tenant_resource_id(tenant)
    datasets = snapshot.graph.get(tenant)
    raw: dict[str, object] = {"id": rid, "type": TENANT_TYPE, "name": tenant, "tenantId": tenant}
    if datasets is not None:
        raw["properties"] = dict(datasets)
    return Resource(
        id=rid,
        type=TENANT_TYPE,
        name=tenant,
        location=None,
        raw=raw,
        source="(Microsoft Graph)" if datasets is not None else "(derived from tenant ids)",
        properties_collected=datasets is not None,
    )

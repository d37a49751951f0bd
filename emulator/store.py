"""The emulator's resource store: ARM bodies indexed by id and by collection,
and the same resources as Azure Resource Graph rows, table by table.

Which resources Resource Graph holds follows the scanner's own catalogue:
a type that is a key of ``ARM_DETAIL_TYPES`` is ARM-only (child settings and
extension resources); every other type is in the table ``graph_table(type)``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from emulator.tenant import Subscription, Tenant, subscription_of
from hipaa_scan.collector.catalogue import ARM_DETAIL_TYPES, graph_table

RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups"
SUBSCRIPTION_TYPE = "microsoft.resources/subscriptions"
ARG_TABLES = ("resources", "securityresources", "recoveryservicesresources", "authorizationresources")
# /subscriptions/{s}/resourceGroups/{g}/providers/{namespace}/{type}/{name}
_TOP_LEVEL_RE = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+$")
_GROUP_RE = re.compile(r"^(/subscriptions/[^/]+/resourceGroups/([^/]+))", re.IGNORECASE)
# Columns of a Resource Graph row, in the service's order.
ARG_COLUMNS = (
    "id",
    "name",
    "type",
    "tenantId",
    "kind",
    "location",
    "resourceGroup",
    "subscriptionId",
    "managedBy",
    "sku",
    "plan",
    "properties",
    "tags",
    "identity",
    "zones",
    "extendedLocation",
)


def resource_group_of(resource_id: str) -> tuple[str, str] | None:
    """(resource group id, name) of a resource id, original casing."""
    match = _GROUP_RE.match(resource_id)
    return (match.group(1), match.group(2)) if match else None


def normalise_location(location: Any) -> str:
    return str(location).lower().replace(" ", "") if location else ""


def arg_row(resource: Mapping[str, Any], tenant_id: str) -> dict[str, Any]:
    """A resource as Resource Graph returns it: lower-case type, location and resource group."""
    rid = str(resource["id"])
    group = resource_group_of(rid)
    return {
        "id": rid,
        "name": resource.get("name") or rid.rsplit("/", 1)[-1],
        "type": str(resource.get("type", "")).lower(),
        "tenantId": tenant_id,
        "kind": resource.get("kind") or "",
        "location": normalise_location(resource.get("location")),
        "resourceGroup": group[1].lower() if group else "",
        "subscriptionId": subscription_of(rid) or "",
        "managedBy": resource.get("managedBy") or "",
        "sku": resource.get("sku"),
        "plan": resource.get("plan"),
        "properties": resource.get("properties"),
        "tags": resource.get("tags") or {},
        "identity": resource.get("identity"),
        "zones": resource.get("zones"),
        "extendedLocation": resource.get("extendedLocation"),
    }


def subscription_row(subscription: Subscription, tenant_id: str) -> dict[str, Any]:
    """A ``resourcecontainers`` row for a subscription (``name`` is the display name)."""
    return {
        "id": f"/subscriptions/{subscription.id}",
        "name": subscription.display_name,
        "type": SUBSCRIPTION_TYPE,
        "tenantId": tenant_id,
        "kind": "",
        "location": "",
        "resourceGroup": "",
        "subscriptionId": subscription.id,
        "managedBy": "",
        "sku": None,
        "plan": None,
        "properties": {
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "EnterpriseAgreement_2014-09-01",
                "spendingLimit": "Off",
            },
            "managementGroupAncestorsChain": [{"displayName": "Tenant Root Group", "name": tenant_id}],
            "state": subscription.state,
        },
        "tags": {},
        "identity": None,
        "zones": None,
        "extendedLocation": None,
    }


def subscription_body(subscription: Subscription, tenant_id: str) -> dict[str, Any]:
    """ARM GET /subscriptions/{id} (Subscriptions - Get, 2022-12-01)."""
    return {
        "id": f"/subscriptions/{subscription.id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription.id,
        "tenantId": tenant_id,
        "displayName": subscription.display_name,
        "state": subscription.state,
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "EnterpriseAgreement_2014-09-01",
            "spendingLimit": "Off",
        },
    }


class Store:
    """Thread-safe; ``add`` rebuilds the indexes (cheap next to a benchmark run)."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.lock = threading.RLock()
        self.version = 0
        self._by_id: dict[str, dict[str, Any]] = {}
        self._children: dict[str, list[dict[str, Any]]] = {}
        self._arg: dict[str, dict[str, list[tuple[str, dict[str, Any]]]]] = {}
        self._top_level: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._rebuild()

    # -- indexing -------------------------------------------------------------

    def _rebuild(self) -> None:
        tenant_id = self.tenant.tenant_id
        by_id: dict[str, dict[str, Any]] = {}
        for resource in self.tenant.resources:
            by_id[str(resource["id"]).lower()] = resource
        groups: dict[str, dict[str, Any]] = {}
        for resource in by_id.values():
            found = resource_group_of(str(resource["id"]))
            if found and found[0].lower() not in by_id and found[0].lower() not in groups:
                groups[found[0].lower()] = {
                    "id": found[0],
                    "name": found[1],
                    "type": RESOURCE_GROUP_TYPE,
                    "location": normalise_location(resource.get("location")) or "eastus",
                    "managedBy": None,
                    "tags": {},
                    "properties": {"provisioningState": "Succeeded"},
                }
        by_id.update(groups)
        children: dict[str, list[dict[str, Any]]] = {}
        arg: dict[str, dict[str, list[tuple[str, dict[str, Any]]]]] = {}
        top_level: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for key, resource in by_id.items():
            children.setdefault(key.rsplit("/", 1)[0], []).append(resource)
            type_key = str(resource.get("type", "")).lower()
            sub = subscription_of(key)
            if sub and _TOP_LEVEL_RE.match(key):
                top_level.setdefault((sub.lower(), type_key), []).append(resource)
            if (
                not sub
                or type_key in ARM_DETAIL_TYPES
                or type_key in (RESOURCE_GROUP_TYPE.lower(), SUBSCRIPTION_TYPE)
                or not type_key
            ):
                continue
            table = graph_table(type_key)
            arg.setdefault(table, {}).setdefault(type_key, []).append((sub.lower(), arg_row(resource, tenant_id)))
        self._by_id, self._children, self._arg, self._top_level = by_id, children, arg, top_level
        self._subscriptions = {s.id.lower(): s for s in self.tenant.subscriptions}
        self.version += 1

    def add(self, resources: Iterable[Mapping[str, Any]]) -> None:
        """Add or replace resources (ARM REST bodies with at least ``id`` and ``type``)."""
        with self.lock:
            incoming = []
            for resource in resources:
                if not isinstance(resource.get("id"), str) or not isinstance(resource.get("type"), str):
                    raise ValueError("a resource needs a string 'id' and 'type'")
                incoming.append(dict(resource))
            ids = {r["id"].lower() for r in incoming}
            kept = [r for r in self.tenant.resources if str(r["id"]).lower() not in ids]
            self.tenant.resources = kept + incoming
            known = {s.id.lower() for s in self.tenant.subscriptions}
            for resource in incoming:
                sub = subscription_of(resource["id"])
                if sub and sub.lower() not in known:
                    known.add(sub.lower())
                    self.tenant.subscriptions.append(Subscription(sub, f"Subscription {sub[:8]}"))
            self._rebuild()

    # -- queries --------------------------------------------------------------

    def get(self, path: str) -> dict[str, Any] | None:
        return self._by_id.get(path.lower().rstrip("/"))

    def children(self, collection_path: str) -> list[dict[str, Any]]:
        return list(self._children.get(collection_path.lower().rstrip("/"), ()))

    def in_subscription(self, sub_id: str, type_key: str) -> list[dict[str, Any]]:
        """Top-level resources of a type anywhere in a subscription (ARM list at subscription scope)."""
        return list(self._top_level.get((sub_id.lower(), type_key.lower()), ()))

    def subscription(self, sub_id: str) -> Subscription | None:
        return self._subscriptions.get(sub_id.lower())

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self._subscriptions.values())

    def scope_exists(self, scope: str) -> bool:
        scope = scope.rstrip("/")
        if not scope:
            return True
        sub = subscription_of(scope)
        if sub and scope.lower() == f"/subscriptions/{sub.lower()}":
            return self.subscription(sub) is not None
        return self.get(scope) is not None

    def arg_rows(self, table: str, types: Iterable[str], subscriptions: set[str]) -> list[dict[str, Any]]:
        """Rows of ``table`` whose type is in ``types`` (lower case), within ``subscriptions`` (lower case)."""
        by_type = self._arg.get(table, {})
        rows: list[dict[str, Any]] = []
        for type_key in dict.fromkeys(t.lower() for t in types):
            rows.extend(row for sub, row in by_type.get(type_key, ()) if sub in subscriptions)
        return rows

"""The data an emulated tenant serves: subscriptions, ARM resources in their
REST shape, and Microsoft Graph datasets keyed as in ``hipaa_scan.entra``.

``load_tenant`` reads hipaa-scan snapshot files (plain JSON or gzip) with the
standard library only; ``synthetic_tenant`` builds a large deterministic estate
for benchmarks (see ``emulator.synthetic``).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SNAPSHOT_KIND = "hipaa-scan-snapshot"
_SUBSCRIPTION_RE = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)
# Stable namespace for ids derived from names (uuid5), so runs are reproducible.
EMULATOR_NAMESPACE = uuid.UUID("5d1c7f0e-3b7a-4c1e-9a57-6b2f0e8d4a11")


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    display_name: str
    state: str = "Enabled"


@dataclass
class Tenant:
    """One Entra tenant and the Azure estate under it."""

    tenant_id: str
    display_name: str = "Emulated Tenant"
    subscriptions: list[Subscription] = field(default_factory=list)
    # ARM REST bodies (id/name/type/location/properties...), original casing.
    resources: list[dict[str, Any]] = field(default_factory=list)
    # Microsoft Graph dataset name (hipaa_scan.entra) -> collection list or single object.
    graph: dict[str, Any] = field(default_factory=dict)
    # Verified domain for Graph /organization and user principal names.
    domain: str = ""

    def __post_init__(self) -> None:
        self.tenant_id = self.tenant_id.lower()
        if not self.domain:
            slug = re.sub(r"[^a-z0-9]", "", self.display_name.lower()) or "emulated"
            self.domain = f"{slug}.onmicrosoft.com"
        known = {s.id.lower() for s in self.subscriptions}
        for sub in subscriptions_of(self.resources):
            if sub.lower() not in known:
                known.add(sub.lower())
                self.subscriptions.append(Subscription(sub, f"Subscription {sub[:8]}"))


def subscription_of(resource_id: str) -> str | None:
    match = _SUBSCRIPTION_RE.match(resource_id)
    return match.group(1) if match else None


def subscriptions_of(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, str] = {}
    for resource in resources:
        rid = resource.get("id")
        sub = subscription_of(rid) if isinstance(rid, str) else None
        if sub:
            seen.setdefault(sub.lower(), sub)
    return list(seen.values())


def _read(path: Path) -> Any:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data)


def _stem(path: Path) -> str:
    return path.name.split(".", 1)[0]


def _title(stem: str) -> str:
    return " ".join(part.capitalize() for part in re.split(r"[-_ ]+", stem) if part)


def _common_words(stems: list[str]) -> str:
    """The words every file stem starts with: contoso-health-prod, contoso-health-research -> contoso-health."""
    words = [re.split(r"[-_ ]+", stem) for stem in stems]
    common: list[str] = []
    for column in zip(*words, strict=False):
        if len(set(column)) != 1:
            break
        common.append(column[0])
    return "-".join(common)


def load_tenant(directory: str | os.PathLike[str]) -> Tenant:
    """Read every hipaa-scan snapshot (``*.json``, ``*.json.gz``) in ``directory``.

    Files of any other kind are skipped. All snapshots must belong to one tenant
    (``manifest.tenants`` or ``graph`` keys). A subscription's display name is the
    file stem when the file covers exactly one subscription (``contoso-health-prod``).
    Graph datasets that no file carries are simply absent (the Graph server then
    answers an empty collection or 404 for a single object).
    """
    root = Path(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"tenant directory not found: {root}")
    files = sorted(p for p in root.iterdir() if p.is_file() and (p.name.endswith((".json", ".json.gz"))))
    tenants: set[str] = set()
    resources: dict[str, dict[str, Any]] = {}
    graph: dict[str, Any] = {}
    names: dict[str, str] = {}
    order: list[str] = []
    stems: list[str] = []
    for path in files:
        document = _read(path)
        if not isinstance(document, dict) or document.get("kind") != SNAPSHOT_KIND:
            continue
        stems.append(_stem(path))
        manifest = document.get("manifest") or {}
        tenants.update(str(t).lower() for t in manifest.get("tenants", []))
        file_resources = [r for r in document.get("resources", []) if isinstance(r, dict) and "id" in r]
        for resource in file_resources:
            resources[str(resource["id"]).lower()] = resource
            # A VM GET lists its extensions in its own body; Azure also indexes
            # them as resources of their own (Resource Graph rows), so serve both.
            for nested in resource.get("resources") or ():
                if isinstance(nested, dict) and "id" in nested and "type" in nested:
                    resources.setdefault(str(nested["id"]).lower(), nested)
        subs = [str(s) for s in manifest.get("subscriptions", [])] or subscriptions_of(file_resources)
        for sub in subs:
            if sub.lower() not in names:
                order.append(sub)
            if len(subs) == 1:
                names[sub.lower()] = _stem(path)
            names.setdefault(sub.lower(), f"Subscription {sub[:8]}")
        for tenant, datasets in (document.get("graph") or {}).items():
            tenants.add(str(tenant).lower())
            if isinstance(datasets, dict):
                graph.update(datasets)
    if len(tenants) > 1:
        raise ValueError(f"{root}: snapshots name {len(tenants)} tenants ({', '.join(sorted(tenants))}); expected one")
    tenant_id = tenants.pop() if tenants else str(uuid.uuid5(EMULATOR_NAMESPACE, root.resolve().name))
    # Explicit subscription resources (ARM GET /subscriptions/{id} shape) win.
    for resource in resources.values():
        if str(resource.get("type", "")).lower() == "microsoft.resources/subscriptions":
            sub = str(resource.get("subscriptionId") or subscription_of(str(resource["id"])) or "")
            if sub and resource.get("displayName"):
                names[sub.lower()] = str(resource["displayName"])
    subscriptions = [Subscription(sub, names[sub.lower()]) for sub in order]
    prefix = _common_words(stems)
    return Tenant(
        tenant_id=tenant_id,
        display_name=_title(prefix) if prefix else "Emulated Tenant",
        subscriptions=subscriptions,
        resources=[
            r for r in resources.values() if str(r.get("type", "")).lower() != "microsoft.resources/subscriptions"
        ],
        graph=graph,
    )


def synthetic_tenant(subscriptions: int, resources_per_subscription: int, seed: int = 0) -> Tenant:
    """A deterministic, realistic estate for benchmarks (see ``emulator.synthetic``)."""
    from emulator.synthetic import build_synthetic_tenant

    return build_synthetic_tenant(subscriptions, resources_per_subscription, seed)

"""Organization policy: ``hipaa-scan.toml``, found in the working directory
or given with ``--config``.

It holds the choices an organization makes once and every scan judges
against: approved regions, minimum TLS, log and backup retention, the
expected tenant, break-glass accounts, the Sentinel workbook name, the
default profile, and which resources hold ePHI. Command-line options
override it. Every key is optional and has a documented default.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hipaa_scan.controls import IN_FORCE_PROFILE
from hipaa_scan.documents import parse_toml, read_bytes, validate
from hipaa_scan.engine import Settings
from hipaa_scan.model import Resource

POLICY_FILE = "hipaa-scan.toml"
DEFAULT_PHI_WEIGHT = 2.0


@dataclass(frozen=True)
class PhiScope:
    """Which resources hold ePHI: by tag, subscription or resource group."""

    tags: tuple[tuple[str, str], ...] = ()  # lower-cased (name, value)
    subscriptions: frozenset[str] = frozenset()
    resource_groups: frozenset[str] = frozenset()  # "name" or "subscription/name", lower-cased
    weight: float = DEFAULT_PHI_WEIGHT

    @property
    def configured(self) -> bool:
        return bool(self.tags or self.subscriptions or self.resource_groups)

    def _matches(self, resource: Resource) -> bool:
        if resource.subscription_id and resource.subscription_id.lower() in self.subscriptions:
            return True
        group = resource_group_of(resource.key)
        if group and (group[1] in self.resource_groups or f"{group[0]}/{group[1]}" in self.resource_groups):
            return True
        tags = resource.raw.get("tags")
        if self.tags and isinstance(tags, Mapping):
            have = {(str(k).lower(), str(v).lower()) for k, v in tags.items()}
            return any(t in have for t in self.tags)
        return False

    def resources_in_scope(self, resources: Iterable[Resource]) -> frozenset[str]:
        """Lower-cased ids of the resources in scope: those that match, and
        every resource under one that does (a tagged SQL server's databases,
        auditing settings and firewall rules hold or guard the same ePHI)."""
        if not self.configured:
            return frozenset()
        listed = list(resources)
        matched = {r.key for r in listed if self._matches(r)}
        if not matched:
            return frozenset()
        out = set(matched)
        for r in listed:
            if r.key not in out and any(ancestor in matched for ancestor in _ancestors(r.key)):
                out.add(r.key)
        return frozenset(out)

    def record(self) -> dict[str, Any]:
        return {
            "tags": [f"{k}={v}" for k, v in self.tags],
            "subscriptions": sorted(self.subscriptions),
            "resource_groups": sorted(self.resource_groups),
            "weight": self.weight,
        }


def resource_group_of(resource_key: str) -> tuple[str, str] | None:
    """(subscription, resource group) of a lower-cased ARM id, if it has both."""
    parts = resource_key.strip("/").split("/")
    if len(parts) >= 4 and parts[0] == "subscriptions" and parts[2] == "resourcegroups":
        return parts[1], parts[3]
    return None


def _ancestors(resource_key: str) -> Iterable[str]:
    # /subscriptions/s/resourcegroups/g/providers/ns/type/name[/child/name...]:
    # each parent id ends two segments earlier, down to the top-level resource.
    parts = resource_key.rstrip("/").split("/")
    try:
        first = parts.index("providers") + 4
    except ValueError:
        return
    for end in range(len(parts) - 2, first - 1, -2):
        yield "/".join(parts[:end])


@dataclass(frozen=True)
class Policy:
    path: str | None = None
    sha256: str | None = None
    approved_regions: tuple[str, ...] = ()
    min_tls: str = "1.2"
    log_retention_days: int = 365
    backup_retention_days: int = 30
    expected_tenant: str | None = None
    break_glass_accounts: tuple[str, ...] = ()
    sentinel_workbook_pattern: str = "hipaa"
    profile: str = IN_FORCE_PROFILE
    phi_scope: PhiScope = field(default_factory=PhiScope)

    def settings(self, allowed_locations: Sequence[str] = (), break_glass: Sequence[str] = ()) -> Settings:
        """The rules' settings: options given on the command line win over the file."""
        regions = allowed_locations or self.approved_regions
        accounts = break_glass or self.break_glass_accounts
        return Settings(
            allowed_locations=frozenset(normalize_location(r) for r in regions),
            break_glass_accounts=frozenset(a.strip().lower() for a in accounts if a.strip()),
            min_tls_version=self.min_tls,
            log_retention_days=self.log_retention_days,
            backup_retention_days=self.backup_retention_days,
            expected_tenant=self.expected_tenant.lower() if self.expected_tenant else None,
            sentinel_workbook_pattern=self.sentinel_workbook_pattern,
        )

    def record(self) -> dict[str, Any]:
        """As the report's manifest.policy shows it."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "min_tls": self.min_tls,
            "log_retention_days": self.log_retention_days,
            "backup_retention_days": self.backup_retention_days,
            "expected_tenant": self.expected_tenant,
            "sentinel_workbook_pattern": self.sentinel_workbook_pattern,
            "phi_scope": self.phi_scope.record(),
        }


def normalize_location(name: str) -> str:
    """'East US' and 'eastus' are the same region."""
    return name.replace(" ", "").lower()


def find_policy(config: Path | None) -> Path | None:
    """--config wins; otherwise hipaa-scan.toml in the working directory, if
    any (named relatively, as reports name their inputs, so that a rescan in a
    copy of the directory gives the same report)."""
    if config is not None:
        return config
    candidate = Path(POLICY_FILE)
    return candidate if candidate.is_file() else None


def load_policy(path: Path | None) -> Policy:
    """The policy in ``path`` (validated), or the defaults when there is none."""
    if path is None:
        return Policy()
    raw = read_bytes(path)
    data = parse_toml(raw, str(path))
    validate(data, "policy.schema.json", str(path))
    phi = data.get("phi_scope", {})
    scope = PhiScope(
        tags=tuple(_tag(t) for t in phi.get("tags", ())),
        subscriptions=frozenset(s.lower() for s in phi.get("subscriptions", ())),
        resource_groups=frozenset(g.lower().strip("/") for g in phi.get("resource_groups", ())),
        weight=float(phi.get("weight", DEFAULT_PHI_WEIGHT)),
    )
    base = Policy()
    return replace(
        base,
        path=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        approved_regions=tuple(data.get("approved_regions", ())),
        min_tls=data.get("min_tls", base.min_tls),
        log_retention_days=data.get("log_retention_days", base.log_retention_days),
        backup_retention_days=data.get("backup_retention_days", base.backup_retention_days),
        expected_tenant=data.get("expected_tenant"),
        break_glass_accounts=tuple(data.get("break_glass_accounts", ())),
        sentinel_workbook_pattern=data.get("sentinel_workbook_pattern", base.sentinel_workbook_pattern),
        profile=data.get("profile", base.profile),
        phi_scope=scope,
    )


def _tag(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    return name.strip().lower(), value.strip().lower()

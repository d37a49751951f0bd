"""Building blocks for identity rules over the Entra tenant pseudo-resource
(see hipaa_scan.entra): read a Microsoft Graph dataset, or say why it is unknown;
read Conditional Access policies and judge what they enforce; resolve the
configured break-glass accounts.

Conditional Access semantics (Microsoft Graph v1.0 ``conditionalAccessPolicy``):

* only ``state == "enabled"`` enforces; ``enabledForReportingButNotEnforced``
  (report-only) and ``disabled`` enforce nothing;
* a policy applies to ``includeUsers`` / ``includeGroups`` / ``includeRoles``
  minus every ``exclude*`` entry, for ``includeApplications`` minus
  ``excludeApplications``, and only when all its other conditions match
  (locations, platforms, client app types, risk levels, device filters);
* ``grantControls.operator`` ``OR`` lets the user satisfy any one control, so
  ``mfa OR compliantDevice`` does not require MFA; ``AND`` requires them all;
  ``authenticationStrength`` is one more control in that list, and ``block``
  stands alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hipaa_scan.engine.lookup import lookup
from hipaa_scan.engine.rule import Context, Settings, Verdict, unknown
from hipaa_scan.entra import (
    CONDITIONAL_ACCESS_POLICIES,
    SECURITY_DEFAULTS,
    TENANT_TYPE,
    USERS,
    missing_message,
    tenant_resource_id,
)
from hipaa_scan.model import Resource, Status

ENABLED = "enabled"
# Built-in authentication strengths (policyType builtIn): Multifactor authentication,
# Passwordless MFA and Phishing-resistant MFA. All three satisfy MFA.
MFA_STRENGTH = "00000000-0000-0000-0000-000000000002"
PASSWORDLESS_MFA_STRENGTH = "00000000-0000-0000-0000-000000000003"
PHISHING_RESISTANT_MFA = "00000000-0000-0000-0000-000000000004"
MFA_STRENGTHS = frozenset({MFA_STRENGTH, PASSWORDLESS_MFA_STRENGTH, PHISHING_RESISTANT_MFA})
# "Windows Azure Service Management API": the portal, Azure CLI, PowerShell and ARM.
AZURE_MANAGEMENT_APP = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
NO_BREAK_GLASS = "no break-glass accounts configured (--break-glass)"
# Modern clients: a policy that requires MFA must at least cover these
# (legacy clients cannot do MFA at all; blocking them is ID-05's job).
MODERN_CLIENTS = frozenset({"browser", "mobileappsanddesktopclients"})


def graph_dataset(tenant: Resource, dataset: str, expected: str) -> Any:
    """The dataset's value, or an ``unknown`` Verdict naming the Graph
    permission whose absence kept it out of the input. Callers test
    ``isinstance(result, Verdict)``."""
    path = f"graph.{dataset}"
    if not tenant.properties_collected:
        return unknown(path, f"no Microsoft Graph data in the input; {missing_message(dataset)}", expected)
    found = lookup(tenant, f"properties.{dataset}")
    if not found.found:
        return unknown(path, missing_message(dataset), expected)
    return found.value


def graph_list(tenant: Resource, dataset: str, expected: str) -> list[Mapping[str, Any]] | Verdict:
    """A collection dataset (the ``value`` array of a Graph list call): its
    objects, or an ``unknown`` Verdict when it is absent or not an array."""
    value = graph_dataset(tenant, dataset, expected)
    if isinstance(value, Verdict):
        return value
    if not isinstance(value, list):
        return unknown(f"graph.{dataset}", f"Microsoft Graph data '{dataset}' is not an array", expected)
    return [item for item in value if isinstance(item, Mapping)]


def graph_object(tenant: Resource, dataset: str, expected: str) -> Mapping[str, Any] | Verdict:
    """A single-object dataset (``securityDefaults``, ``authorizationPolicy``)."""
    value = graph_dataset(tenant, dataset, expected)
    if isinstance(value, Verdict):
        return value
    if not isinstance(value, Mapping):
        return unknown(f"graph.{dataset}", f"Microsoft Graph data '{dataset}' is not an object", expected)
    return value


def id_set(mapping: object, key: str) -> frozenset[str]:
    """Lower-cased strings of ``mapping[key]`` when that is an array; ids and
    Graph keywords ('All', 'AllTrusted', 'GuestsOrExternalUsers') compare
    case-insensitively."""
    if not isinstance(mapping, Mapping):
        return frozenset()
    value = mapping.get(key)
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v.lower() for v in value if isinstance(v, str))


def _section(mapping: object, key: str) -> Mapping[str, Any]:
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def tenant_of(resource: Resource, ctx: Context) -> Resource | None:
    """The Entra tenant pseudo-resource for an ARM resource: the tenant named by
    its ``tenantId`` (subscriptions carry one), else the only tenant in the input.
    The calling rule must declare ``reads=["Microsoft.Graph/tenant"]``."""
    tenant_id = resource.raw.get("tenantId")
    if isinstance(tenant_id, str) and tenant_id:
        return ctx.get(tenant_resource_id(tenant_id))
    tenants = ctx.of_type(TENANT_TYPE)
    return tenants[0] if len(tenants) == 1 else None


# --- break-glass accounts ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakGlass:
    """The configured emergency-access accounts, as object ids.

    ``ids`` holds every configured object id plus the ids of configured UPNs
    found in the tenant's ``users`` data; ``unresolved`` the UPNs that could
    not be mapped to an id (users not collected, or the account not in them)."""

    configured: frozenset[str]
    ids: frozenset[str]
    unresolved: tuple[str, ...]
    users: Mapping[str, Mapping[str, Any]]

    def __bool__(self) -> bool:
        return bool(self.configured)

    def holds(self, principal: str) -> bool:
        return principal.lower() in self.ids


def break_glass(settings: Settings, tenant: Resource | None) -> BreakGlass:
    """Resolve ``settings.break_glass_accounts`` (object ids or UPNs) against
    the tenant's ``users`` data when it is there."""
    configured = frozenset(a.strip().lower() for a in settings.break_glass_accounts if a.strip())
    users: dict[str, Mapping[str, Any]] = {}
    if tenant is not None:
        found = graph_dataset(tenant, USERS, "")
        if isinstance(found, list):
            for user in found:
                uid = user.get("id") if isinstance(user, Mapping) else None
                if isinstance(uid, str) and uid:
                    users[uid.lower()] = user
    by_upn = {upn.lower(): uid for uid, user in users.items() if isinstance(upn := user.get("userPrincipalName"), str)}
    ids = {a for a in configured if "@" not in a}
    unresolved: list[str] = []
    for account in sorted(a for a in configured if "@" in a):
        if account in by_upn:
            ids.add(by_upn[account])
        else:
            unresolved.append(account)
    return BreakGlass(configured, frozenset(ids), tuple(unresolved), users)


# --- Conditional Access ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    """One policy's standing against a rule: pass, fail or unknown, and why."""

    status: Status
    reason: str = ""


QUALIFIES = PolicyCheck(Status.PASS)


def fails(reason: str) -> PolicyCheck:
    return PolicyCheck(Status.FAIL, reason)


@dataclass(frozen=True, slots=True)
class CaPolicy:
    """The parts of a Conditional Access policy the rules read, lower-cased."""

    id: str
    name: str
    state: str
    include_users: frozenset[str]
    exclude_users: frozenset[str]
    include_groups: frozenset[str]
    exclude_groups: frozenset[str]
    include_roles: frozenset[str]
    exclude_roles: frozenset[str]
    excludes_guests: bool
    include_apps: frozenset[str]
    exclude_apps: frozenset[str]
    client_app_types: frozenset[str]
    include_locations: frozenset[str]
    exclude_locations: frozenset[str]
    operator: str
    controls: frozenset[str]
    other_grants: tuple[str, ...]
    strength_id: str | None
    strength_is_mfa: bool
    raw: Mapping[str, Any]

    @property
    def enabled(self) -> bool:
        return self.state == ENABLED

    @property
    def all_users(self) -> bool:
        return "all" in self.include_users

    @property
    def all_apps(self) -> bool:
        return "all" in self.include_apps and not self.exclude_apps

    def covers_app(self, app_id: str) -> bool:
        app = app_id.lower()
        return ("all" in self.include_apps or app in self.include_apps) and app not in self.exclude_apps

    def covers_role(self, role_id: str) -> bool:
        role = role_id.lower()
        return (self.all_users or role in self.include_roles) and role not in self.exclude_roles

    @property
    def exclusions(self) -> tuple[str, ...]:
        """Everything excluded from the users condition (lower-cased ids and keywords)."""
        out = [*self.exclude_users, *self.exclude_groups, *self.exclude_roles]
        if self.excludes_guests:
            out.append("guestsorexternalusers")
        return tuple(sorted(set(out)))

    @property
    def blocks(self) -> bool:
        return "block" in self.controls

    def _required(self, satisfies: Callable[[str], bool]) -> bool:
        """Whether every way of passing the grant controls satisfies ``satisfies``:
        one control under AND, all of them under OR."""
        grants = [*sorted(self.controls), *self.other_grants]
        if self.strength_id is not None:
            grants.append(f"authenticationStrength:{self.strength_id}")
        if not grants:
            return False
        if self.operator == "and":
            return any(satisfies(g) for g in grants)
        return all(satisfies(g) for g in grants)

    @property
    def requires_mfa(self) -> bool:
        return self._required(
            lambda g: g == "mfa" or (g.startswith("authenticationStrength:") and self.strength_is_mfa)
        )

    def requires_strength(self, strength_id: str) -> bool:
        wanted = f"authenticationStrength:{strength_id.lower()}"
        return self._required(lambda g: g == wanted)

    @property
    def requires_managed_device(self) -> bool:
        return self._required(lambda g: g in ("compliantdevice", "domainjoineddevice"))

    @property
    def grant_summary(self) -> str:
        """The grant controls as Graph spells them: 'mfa OR compliantDevice'."""
        builtin = _section(self.raw, "grantControls").get("builtInControls")
        grants = sorted(c for c in builtin if isinstance(c, str)) if isinstance(builtin, list) else []
        grants += self.other_grants
        if self.strength_id is not None:
            grants.append(f"authenticationStrength {self.strength_id}")
        return f" {self.operator.upper()} ".join(grants) if grants else "no grant controls"

    def limits(self, ignore: Iterable[str] = ()) -> list[str]:
        """Conditions that make the policy apply to only some sign-ins, so it
        does not enforce its control everywhere. ``ignore`` names the
        conditions a rule judges itself ('clientAppTypes', 'locations')."""
        skip = set(ignore)
        conditions = _section(self.raw, "conditions")
        out: list[str] = []
        for key in ("signInRiskLevels", "userRiskLevels", "servicePrincipalRiskLevels"):
            levels = id_set(conditions, key)
            if levels:
                out.append(f"{key} {sorted(levels)}")
        insider = conditions.get("insiderRiskLevels")
        if isinstance(insider, str) and insider:
            out.append(f"insiderRiskLevels {insider}")
        if (
            "clientAppTypes" not in skip
            and self.client_app_types
            and "all" not in self.client_app_types
            and not self.client_app_types >= MODERN_CLIENTS
        ):
            out.append(f"clientAppTypes {sorted(self.client_app_types)}")
        platforms = conditions.get("platforms")
        if isinstance(platforms, Mapping) and (
            "all" not in id_set(platforms, "includePlatforms") or id_set(platforms, "excludePlatforms")
        ):
            out.append("platforms " + _describe(platforms, "includePlatforms", "excludePlatforms"))
        locations = conditions.get("locations")
        if (
            "locations" not in skip
            and isinstance(locations, Mapping)
            and (self.exclude_locations or "all" not in self.include_locations)
        ):
            out.append("locations " + _describe(locations, "includeLocations", "excludeLocations"))
        devices = conditions.get("devices")
        if isinstance(devices, Mapping) and any(v for v in devices.values()):
            out.append("a device filter")
        flows = conditions.get("authenticationFlows")
        if isinstance(flows, Mapping) and flows.get("transferMethods"):
            out.append(f"authenticationFlows {flows.get('transferMethods')}")
        return out

    def applies_everywhere(self, accounts: BreakGlass, ignore: Iterable[str] = ()) -> PolicyCheck:
        """The common end of a policy check: no condition limits where it applies
        (besides those in ``ignore``, judged by the rule), and only break-glass
        accounts are excluded."""
        limits = self.limits(ignore)
        if limits:
            return fails("applies only under conditions: " + "; ".join(limits))
        return self.exclusions_check(accounts)

    def exclusions_check(self, accounts: BreakGlass) -> PolicyCheck:
        """Exclusions are allowed only for the configured break-glass accounts."""
        extra = [e for e in self.exclusions if e not in accounts.ids]
        if not extra:
            return QUALIFIES
        if not accounts:
            return PolicyCheck(Status.UNKNOWN, f"excludes {extra}; {NO_BREAK_GLASS}")
        if accounts.unresolved:
            return PolicyCheck(
                Status.UNKNOWN,
                f"excludes {extra}; break-glass UPNs {list(accounts.unresolved)} could not be resolved to object ids",
            )
        return fails(f"excludes {extra}, which are not configured break-glass accounts")


def _describe(mapping: Mapping[str, Any], include: str, exclude: str) -> str:
    def spelled(key: str) -> list[str]:
        value = mapping.get(key)
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    return f"{include} {spelled(include)}, {exclude} {spelled(exclude)}"


def ca_policy(raw: Mapping[str, Any]) -> CaPolicy:
    conditions = _section(raw, "conditions")
    users = _section(conditions, "users")
    apps = _section(conditions, "applications")
    locations = _section(conditions, "locations")
    grants = _section(raw, "grantControls")
    strength = grants.get("authenticationStrength")
    strength_id: str | None = None
    strength_is_mfa = False
    if isinstance(strength, Mapping) and isinstance(strength.get("id"), str):
        strength_id = str(strength["id"]).lower()
        # requirementsSatisfied says whether a (custom) strength grants the MFA claim.
        strength_is_mfa = strength_id in MFA_STRENGTHS or strength.get("requirementsSatisfied") == "mfa"
    other = [f"termsOfUse:{t}" for t in sorted(id_set(grants, "termsOfUse"))]
    other += [f"customAuthenticationFactor:{t}" for t in sorted(id_set(grants, "customAuthenticationFactors"))]
    operator = grants.get("operator")
    policy_id = raw.get("id")
    name = raw.get("displayName")
    state = raw.get("state")
    return CaPolicy(
        id=policy_id if isinstance(policy_id, str) else "",
        name=name if isinstance(name, str) and name else str(policy_id),
        state=state if isinstance(state, str) else "",
        include_users=id_set(users, "includeUsers"),
        exclude_users=id_set(users, "excludeUsers"),
        include_groups=id_set(users, "includeGroups"),
        exclude_groups=id_set(users, "excludeGroups"),
        include_roles=id_set(users, "includeRoles"),
        exclude_roles=id_set(users, "excludeRoles"),
        excludes_guests=isinstance(users.get("excludeGuestsOrExternalUsers"), Mapping),
        include_apps=id_set(apps, "includeApplications"),
        exclude_apps=id_set(apps, "excludeApplications"),
        client_app_types=id_set(conditions, "clientAppTypes"),
        include_locations=id_set(locations, "includeLocations"),
        exclude_locations=id_set(locations, "excludeLocations"),
        operator=operator.lower() if isinstance(operator, str) else "or",
        controls=id_set(grants, "builtInControls"),
        other_grants=tuple(other),
        strength_id=strength_id,
        strength_is_mfa=strength_is_mfa,
        raw=raw,
    )


def conditional_access(tenant: Resource, expected: str) -> list[CaPolicy] | Verdict:
    """Every Conditional Access policy of the tenant (any state), or unknown."""
    found = graph_list(tenant, CONDITIONAL_ACCESS_POLICIES, expected)
    if isinstance(found, Verdict):
        return found
    return [ca_policy(raw) for raw in found]


def judge_policies(
    policies: Sequence[CaPolicy], check: Callable[[CaPolicy], PolicyCheck], path: str, expected: str
) -> Verdict:
    """Pass when one enabled policy qualifies; else unknown when one might;
    else fail, saying for each policy why it does not count (a policy that
    would qualify but is report-only or disabled says so)."""
    passing: list[str] = []
    doubtful: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for policy in policies:
        result = check(policy)
        key = policy.name if policy.name not in reasons | doubtful else f"{policy.name} ({policy.id})"
        if not policy.enabled:
            why = result.reason or "would qualify"
            reasons[key] = f"state '{policy.state}' enforces nothing ({why})"
        elif result.status is Status.PASS:
            passing.append(policy.name)
        elif result.status is Status.UNKNOWN:
            doubtful[key] = result.reason
        else:
            reasons[key] = result.reason
    if passing:
        return Verdict(Status.PASS, path, sorted(passing), expected)
    if doubtful:
        return Verdict(Status.UNKNOWN, path, doubtful, expected, "; ".join(f"{k}: {v}" for k, v in doubtful.items()))
    message = "no enabled policy qualifies" if policies else "no Conditional Access policies exist"
    return Verdict(Status.FAIL, path, reasons, expected, message)


def security_defaults(tenant: Resource, expected: str) -> bool | Verdict:
    """``isEnabled`` of the security defaults policy, or unknown."""
    found = graph_object(tenant, SECURITY_DEFAULTS, expected)
    if isinstance(found, Verdict):
        return found
    enabled = found.get("isEnabled")
    if not isinstance(enabled, bool):
        return unknown(f"graph.{SECURITY_DEFAULTS}.isEnabled", "isEnabled is not a boolean", expected)
    return enabled


def policy_or_security_defaults(
    tenant: Resource, check: Callable[[CaPolicy], PolicyCheck], expected: str, defaults_cover: str
) -> Verdict:
    """Pass when security defaults are on (they enforce ``defaults_cover``) or an
    enabled Conditional Access policy passes ``check``.

    Security defaults and Conditional Access exclude each other (Entra refuses to
    enable a policy while security defaults are on), so with an enabled policy
    in the input the answer does not hinge on an unread security-defaults policy."""
    path = f"graph.{CONDITIONAL_ACCESS_POLICIES}[]"
    if not tenant.properties_collected:
        gaps = f"{missing_message(SECURITY_DEFAULTS)}; {missing_message(CONDITIONAL_ACCESS_POLICIES)}"
        return unknown(path, f"no Microsoft Graph data in the input; {gaps}", expected)
    defaults = security_defaults(tenant, expected)
    if defaults is True:
        return Verdict(
            Status.PASS,
            f"graph.{SECURITY_DEFAULTS}.isEnabled",
            True,
            expected,
            f"security defaults are on; they {defaults_cover}",
        )
    policies = conditional_access(tenant, expected)
    if isinstance(policies, Verdict):
        if isinstance(defaults, Verdict):
            return unknown(path, f"{defaults.message}; {policies.message}", expected)
        return unknown(path, f"security defaults are off; {policies.message}", expected)
    verdict = judge_policies(policies, check, path, expected)
    if verdict.status is Status.FAIL and isinstance(defaults, Verdict) and not any(p.enabled for p in policies):
        return Verdict(Status.UNKNOWN, path, verdict.observed, expected, f"{verdict.message}; {defaults.message}")
    if verdict.status is Status.FAIL and defaults is False:
        return Verdict(
            verdict.status, path, verdict.observed, expected, f"security defaults are off; {verdict.message}"
        )
    return verdict


def mfa_policy_check(policy: CaPolicy, accounts: BreakGlass, app: str | None = None) -> PolicyCheck:
    """Does the policy require MFA of all users for all apps (or for ``app``),
    unconditionally, excluding only break-glass accounts?"""
    if not policy.all_users:
        return fails("does not include all users")
    if app is None and not policy.all_apps:
        return fails(
            f"does not cover all apps (include {sorted(policy.include_apps)}, exclude {sorted(policy.exclude_apps)})"
        )
    if app is not None and not policy.covers_app(app):
        return fails(f"does not cover {app}")
    if not policy.requires_mfa:
        return fails(f"grant controls do not require MFA ({policy.grant_summary})")
    return policy.applies_everywhere(accounts)


__all__ = [
    "AZURE_MANAGEMENT_APP",
    "NO_BREAK_GLASS",
    "PHISHING_RESISTANT_MFA",
    "QUALIFIES",
    "BreakGlass",
    "CaPolicy",
    "PolicyCheck",
    "Verdict",
    "break_glass",
    "ca_policy",
    "conditional_access",
    "fails",
    "graph_dataset",
    "graph_list",
    "graph_object",
    "id_set",
    "judge_policies",
    "mfa_policy_check",
    "policy_or_security_defaults",
    "security_defaults",
    "tenant_of",
]

from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    BreakGlass,
    CaPolicy,
    Context,
    PolicyCheck,
    Resource,
    Status,
    Verdict,
    break_glass,
    conditional_access,
    fails,
    graph_list,
    judge_policies,
    rule,
)
from hipaa_scan.entra import CONDITIONAL_ACCESS_POLICIES, NAMED_LOCATIONS, TENANT_TYPE

PATH = f"graph.{CONDITIONAL_ACCESS_POLICIES}[].conditions.locations"
EXPECTED = (
    "an enabled Conditional Access policy for all users and all apps with includeLocations ['All'], "
    "excludeLocations only 'AllTrusted', trusted IP named locations or country named locations, and grant "
    "'block', excluding only break-glass accounts"
)


def approved_locations(locations: list[Mapping[str, Any]]) -> frozenset[str]:
    """Trusted IP ranges, and country lists that do not let unknown countries in."""
    out: set[str] = set()
    for location in locations:
        kind = str(location.get("@odata.type", "")).lower()
        lid = location.get("id")
        if not isinstance(lid, str):
            continue
        trusted_ip = kind.endswith("ipnamedlocation") and location.get("isTrusted") is True
        countries = kind.endswith("countrynamedlocation") and location.get("includeUnknownCountriesAndRegions") is False
        if trusted_ip or countries:
            out.add(lid.lower())
    return frozenset(out)


def _blocks_elsewhere(policy: CaPolicy, accounts: BreakGlass, approved: frozenset[str] | None) -> PolicyCheck:
    if not policy.blocks:
        return fails(f"does not block ({policy.grant_summary})")
    if not policy.all_users:
        return fails("does not include all users")
    if not policy.all_apps:
        return fails("does not cover all apps")
    if "all" not in policy.include_locations:
        return fails(f"includeLocations {sorted(policy.include_locations)} is not ['All']")
    if not policy.exclude_locations:
        return fails("excludes no approved location")
    named = sorted(policy.exclude_locations - {"alltrusted"})
    if named and approved is None:
        return PolicyCheck(Status.UNKNOWN, f"excludes named locations {named}; named locations were not collected")
    others = [n for n in named if approved is not None and n not in approved]
    if others:
        return fails(f"excludes locations {others} that are neither trusted IP ranges nor country lists")
    return policy.applies_everywhere(accounts, ignore=["locations"])


@rule(
    id="ID-07",
    title="Conditional Access blocks sign-ins from non-approved locations",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/conditionalAccessPolicies", "Microsoft.Graph/namedLocations", "Microsoft.Graph/users"],
    citations=["164.312(a)(1)", "164.308(a)(4)(ii)(B)"],
    rationale=(
        "Workforce access to ePHI is authorized from the countries and networks the organisation operates in; "
        "blocking everything else removes most credential-stuffing and token-replay sources."
    ),
    remediation=(
        "Entra admin center > Protection > Conditional Access > Named locations: define the approved countries "
        "(leave 'Include unknown countries/regions' off) and mark corporate IP ranges trusted; then create a "
        "policy: Users All users (exclude only the break-glass accounts), Target resources All resources, "
        "Network > Include Any location, Exclude the approved locations (or 'All trusted networks and "
        "locations'), Grant 'Block access', Enable policy On."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    policies = conditional_access(tenant, EXPECTED)
    if isinstance(policies, Verdict):
        return policies
    locations = graph_list(tenant, NAMED_LOCATIONS, EXPECTED)
    approved = None if isinstance(locations, Verdict) else approved_locations(locations)
    accounts = break_glass(ctx.settings, tenant)
    return judge_policies(policies, lambda p: _blocks_elsewhere(p, accounts, approved), PATH, EXPECTED)

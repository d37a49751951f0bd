from collections.abc import Mapping

from hipaa_scan.engine import (
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    combine_any,
    equals,
    judge,
    lookup,
    lookup_in,
    non_empty,
    rule,
)

IP_RULES = "properties.ipRules"
# 0.0.0.0 is the portal's "accept connections from within public Azure datacenters".
OPEN = frozenset({"0.0.0.0", "0.0.0.0/0"})
EXPECTED = (
    "publicNetworkAccess == 'Disabled', or a VNet filter or IP rules "
    "with no 0.0.0.0 (all Azure datacenters) or 0.0.0.0/0 entry"
)


@rule(
    id="CDB-03",
    title="Cosmos DB firewall restricts access (no allow-all, no all-Azure-datacenters)",
    severity="high",
    resource_types=["Microsoft.DocumentDB/databaseAccounts"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "Without a firewall, or with the 0.0.0.0 'all Azure datacenters' entry, any host on the Internet or "
        "in any Azure tenant can attempt to reach the ePHI in the account."
    ),
    remediation=(
        "az cosmosdb update --name <account> --resource-group <rg> --ip-range-filter <office-cidrs> "
        "--enable-virtual-network true --virtual-network-rules <subnet-id> (and drop 0.0.0.0 from the IP filter)"
    ),
)
def check(account: Resource, _ctx: Context) -> Verdict:
    # Absent publicNetworkAccess means Enabled; absent filters mean no firewall at all (the defaults).
    public = judge(lookup(account, "properties.publicNetworkAccess"), equals("Disabled"), Status.FAIL)
    if public.status is Status.PASS or not account.properties_collected:
        return Verdict(public.status, public.path, public.observed, EXPECTED, public.message)
    rules = lookup(account, IP_RULES)
    firewall = combine_any(
        [
            judge(lookup(account, "properties.isVirtualNetworkFilterEnabled"), equals(True), Status.FAIL),
            judge(rules, non_empty(), Status.FAIL),
        ]
    )
    if rules.found and isinstance(rules.value, list):
        ranges = [lookup_in(r, "ipAddressOrRange") for r in rules.value if isinstance(r, Mapping)]
        opened = [r.value for r in ranges if r.found and str(r.value).strip() in OPEN]
        if opened:
            firewall = Verdict(
                Status.FAIL, f"{IP_RULES}[].ipAddressOrRange", opened, EXPECTED, "IP filter admits 0.0.0.0"
            )
        elif any(r.presence is Presence.UNRESOLVED for r in ranges):
            firewall = Verdict(Status.UNKNOWN, f"{IP_RULES}[].ipAddressOrRange", None, EXPECTED, "unresolved IP rule")
    verdict = combine_any([public, firewall])  # public may be unresolved rather than Enabled
    return Verdict(verdict.status, verdict.path, verdict.observed, EXPECTED, verdict.message)

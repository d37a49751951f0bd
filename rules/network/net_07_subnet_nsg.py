from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import Context, Presence, Resource, Status, Verdict, lookup, lookup_in, rule, unknown

SUBNETS = "Microsoft.Network/virtualNetworks/subnets"
# Platform subnets where Azure forbids or does not support an NSG.
EXEMPT = frozenset(
    s.lower()
    for s in (
        "GatewaySubnet",
        "AzureFirewallSubnet",
        "AzureFirewallManagementSubnet",
        "RouteServerSubnet",
        "AzureBastionSubnet",
    )
)
PATH = "properties.subnets[].properties.networkSecurityGroup.id"
EXPECTED = "every subnet except platform subnets has properties.networkSecurityGroup.id"


@rule(
    id="NET-07",
    title="Every subnet has an NSG (except platform subnets)",
    severity="high",
    resource_types=["Microsoft.Network/virtualNetworks"],
    reads=["Microsoft.Network/virtualNetworks/subnets"],
    citations=["164.312(a)(1)", "164.312(e)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A subnet without a network security group has no network-layer access control, so any workload "
        "placed in it (including ePHI systems) is reachable from the whole VNet and its peers."
    ),
    remediation="az network vnet subnet update --vnet-name <vnet> --resource-group <rg> --name <subnet> --network-security-group <nsg>",
)
def check(vnet: Resource, ctx: Context) -> Verdict:
    found = lookup(vnet, "properties.subnets")
    if found.presence in (Presence.NOT_COLLECTED, Presence.UNRESOLVED):
        return unknown(PATH, "subnets were not in the input", EXPECTED)
    subnets: list[Mapping[str, Any]] = []
    if isinstance(found.value, list):
        subnets.extend(s for s in found.value if isinstance(s, Mapping))
    # Templates and some exports declare subnets as child resources instead.
    children = ctx.children(vnet, SUBNETS)
    seen = {str(s.get("name", "")).lower() for s in subnets}
    subnets.extend(c.raw for c in children.items if c.name.rsplit("/", 1)[-1].lower() not in seen)
    if not subnets and not found.found and not children.complete:
        return unknown(PATH, "subnets were not in the input", EXPECTED)
    offending: list[str] = []
    undecidable: list[str] = []
    for subnet in subnets:
        name = str(subnet.get("name", "?")).rsplit("/", 1)[-1]
        if name.lower() in EXEMPT:
            continue
        if not isinstance(subnet.get("properties"), Mapping):
            undecidable.append(name)
            continue
        nsg = lookup_in(subnet, "properties.networkSecurityGroup.id")
        if nsg.found and isinstance(nsg.value, str) and nsg.value:
            continue
        if nsg.presence is Presence.UNRESOLVED:
            undecidable.append(name)
        else:
            offending.append(name)
    if offending:
        return Verdict(Status.FAIL, PATH, sorted(offending), EXPECTED, "subnets without an NSG")
    if undecidable:
        return Verdict(Status.UNKNOWN, PATH, sorted(undecidable), EXPECTED, "subnet properties missing or unresolved")
    return Verdict(Status.PASS, PATH, [], EXPECTED)

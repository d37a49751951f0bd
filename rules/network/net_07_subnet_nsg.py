from collections.abc import Mapping

from hipaa_scan.engine import (
    PLATFORM_SUBNETS,
    SUBNETS,
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    lookup_in,
    rule,
    subnet_name,
    unknown,
    vnet_subnets,
)

PATH = "properties.subnets[].properties.networkSecurityGroup.id"
EXPECTED = "every subnet except platform subnets has properties.networkSecurityGroup.id"


@rule(
    id="NET-07",
    title="Every subnet has an NSG (except platform subnets)",
    severity="high",
    resource_types=["Microsoft.Network/virtualNetworks"],
    reads=[SUBNETS],
    citations=["164.312(a)(1)", "164.312(e)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A subnet without a network security group has no network-layer access control, so any workload "
        "placed in it (including ePHI systems) is reachable from the whole VNet and its peers."
    ),
    remediation="az network vnet subnet update --vnet-name <vnet> --resource-group <rg> --name <subnet> --network-security-group <nsg>",
)
def check(vnet: Resource, ctx: Context) -> Verdict:
    subnets = vnet_subnets(vnet, ctx)
    if subnets is None:
        return unknown(PATH, "subnets were not in the input", EXPECTED)
    offending: list[str] = []
    undecidable: list[str] = []
    for subnet in subnets:
        name = subnet_name(subnet)
        # Azure forbids or does not support an NSG on its platform subnets.
        if name.lower() in PLATFORM_SUBNETS:
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

from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    SUBNETS,
    Context,
    Presence,
    Resource,
    Semantics,
    Status,
    Verdict,
    equals,
    lookup_in,
    rule,
    subnet_name,
    unknown,
    vnet_subnets,
)

PATH = "properties.subnets[].properties.defaultOutboundAccess"
EXPECTED = "every subnet has defaultOutboundAccess == false"
# From this API version new subnets are private unless defaultOutboundAccess is set to true.
PRIVATE_BY_DEFAULT_SINCE = "2025-07-01"


def _private_by_default(vnet: Resource, subnet: Mapping[str, Any]) -> bool:
    """A template deploying with API 2025-07-01+ creates private subnets unless told otherwise.
    (Observed subnets created that way report defaultOutboundAccess false explicitly.)"""
    if vnet.semantics is not Semantics.DESIRED:
        return False
    api = subnet.get("apiVersion", vnet.raw.get("apiVersion"))
    return isinstance(api, str) and api[:10] >= PRIVATE_BY_DEFAULT_SINCE


@rule(
    id="NET-18",
    title="Subnets are private (no default outbound Internet access)",
    severity="medium",
    resource_types=["Microsoft.Network/virtualNetworks"],
    reads=[SUBNETS],
    citations=["164.312(e)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "Default outbound access gives VMs an implicit, unmonitored path to the Internet that bypasses the "
        "firewall; private subnets make every egress path for ePHI explicit. As in Azure Policy 7bca8353, an "
        "absent defaultOutboundAccess means default outbound access is on."
    ),
    remediation=(
        "az network vnet subnet update --vnet-name <vnet> --resource-group <rg> --name <subnet> "
        "--default-outbound false (after giving the subnet an explicit egress: firewall route or NAT gateway)"
    ),
)
def check(vnet: Resource, ctx: Context) -> Verdict:
    subnets = vnet_subnets(vnet, ctx)
    if subnets is None:
        return unknown(PATH, "subnets were not in the input", EXPECTED)
    if not subnets:
        return Verdict(Status.NOT_APPLICABLE, PATH, [], EXPECTED, "the VNet has no subnets")
    public: list[str] = []
    unreadable: list[str] = []
    for subnet in subnets:
        name = subnet_name(subnet)
        if not isinstance(subnet.get("properties"), Mapping):
            unreadable.append(name)
            continue
        access = lookup_in(subnet, "properties.defaultOutboundAccess")
        if access.presence is Presence.UNRESOLVED:
            unreadable.append(name)
            continue
        private = equals(False)(access.value) if access.found else _private_by_default(vnet, subnet)
        if not private:
            public.append(name)
    if public:
        return Verdict(Status.FAIL, PATH, sorted(public), EXPECTED, "subnets with default outbound access")
    if unreadable:
        return Verdict(Status.UNKNOWN, PATH, sorted(unreadable), EXPECTED, "subnet properties missing or unresolved")
    return Verdict(Status.PASS, PATH, [], EXPECTED)

from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    SUBNETS,
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    equals,
    judge_workload_subnets,
    list_at,
    lookup,
    lookup_in,
    rule,
)

ROUTE_TABLES = "Microsoft.Network/routeTables"
FIREWALLS = "Microsoft.Network/azureFirewalls"
PATH = "properties.subnets[].properties.routeTable.id -> properties.routes[]"
EXPECTED = (
    "every workload subnet's route table sends 0.0.0.0/0 to an Azure Firewall private IP (VirtualAppliance) "
    "or drops it (None)"
)


def _firewall_ips(ctx: Context) -> set[str]:
    """Private IPs of the Azure Firewalls in the input (VNet and Virtual WAN hub deployments)."""
    ips: set[str] = set()
    for firewall in ctx.of_type(FIREWALLS):
        for config in list_at(firewall.raw.get("properties"), "ipConfigurations"):
            ip = lookup_in(config, "properties.privateIPAddress").value if isinstance(config, Mapping) else None
            if isinstance(ip, str):
                ips.add(ip)
        hub_ip = lookup(firewall, "properties.hubIPAddresses.privateIPAddress").value
        if isinstance(hub_ip, str):
            ips.add(hub_ip)
    return ips


def _virtual_wan_spoke(vnet: Resource) -> bool:
    """Connected to a Virtual WAN hub, whose routing intent (not in ARM data here) may steer egress.
    The hub's managed VNet is named HV_<hub>_<guid>."""
    for peering in list_at(vnet.raw.get("properties"), "virtualNetworkPeerings"):
        remote = (
            lookup_in(peering, "properties.remoteVirtualNetwork.id").value if isinstance(peering, Mapping) else None
        )
        if isinstance(remote, str) and remote.rstrip("/").rsplit("/", 1)[-1].upper().startswith("HV_"):
            return True
    return False


def _default_route(table: Resource, firewall_ips: set[str]) -> tuple[Status, str]:
    routes = lookup(table, "properties.routes")
    if routes.presence in (Presence.NOT_COLLECTED, Presence.UNRESOLVED) or (
        routes.found and not isinstance(routes.value, list)
    ):
        return Status.UNKNOWN, f"routes of {table.name} not in the input"
    defaults: list[Mapping[str, Any]] = [
        r["properties"]
        for r in (routes.value if routes.found else [])
        if isinstance(r, Mapping)
        and isinstance(r.get("properties"), Mapping)
        and str(r["properties"].get("addressPrefix", "")).strip() == "0.0.0.0/0"
    ]
    if not defaults:
        return Status.FAIL, f"{table.name} has no 0.0.0.0/0 route (system route to the Internet applies)"
    route = defaults[0]
    hop = route.get("nextHopType")
    if equals("None")(hop):
        return Status.PASS, "default route drops Internet traffic"
    if not equals("VirtualAppliance")(hop):
        return Status.FAIL, f"{table.name} sends 0.0.0.0/0 to {hop}"
    ip = route.get("nextHopIpAddress")
    if isinstance(ip, str) and ip in firewall_ips:
        return Status.PASS, ""
    return Status.UNKNOWN, f"next hop {ip} is not the private IP of an Azure Firewall in the input"


def _egress(vnet: Resource, subnet: Mapping[str, Any], ctx: Context, firewall_ips: set[str]) -> tuple[Status, str]:
    """Where a workload subnet's Internet-bound traffic goes: (status, why)."""
    table_id = lookup_in(subnet, "properties.routeTable.id")
    if table_id.presence is Presence.UNRESOLVED:
        return Status.UNKNOWN, "route table is an unresolved template expression"
    if not (table_id.found and isinstance(table_id.value, str)):
        if _virtual_wan_spoke(vnet):
            return Status.UNKNOWN, "no route table; the VNet's Virtual WAN hub routing intent is not in the input"
        return Status.FAIL, "no route table (system route to the Internet applies)"
    table = ctx.get(table_id.value)
    if table is None:
        return Status.UNKNOWN, f"route table {table_id.value} not in the input"
    return _default_route(table, firewall_ips)


@rule(
    id="NET-17",
    title="Default route forces Internet egress through the firewall",
    severity="high",
    resource_types=["Microsoft.Network/virtualNetworks"],
    reads=[SUBNETS, ROUTE_TABLES, FIREWALLS],
    citations=["164.312(e)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A default route to the firewall makes all Internet-bound traffic from ePHI workloads pass inspection "
        "and logging instead of leaving through Azure's system route. A next hop that is not an Azure Firewall "
        "in the input (a third-party appliance) cannot be confirmed and stays unknown."
    ),
    remediation=(
        "az network route-table route create --route-table-name <rt> --resource-group <rg> --name default-to-fw "
        "--address-prefix 0.0.0.0/0 --next-hop-type VirtualAppliance --next-hop-ip-address <firewall-private-ip>; "
        "az network vnet subnet update --vnet-name <vnet> --resource-group <rg> --name <subnet> --route-table <rt>"
    ),
)
def check(vnet: Resource, ctx: Context) -> Verdict:
    firewall_ips = _firewall_ips(ctx)
    return judge_workload_subnets(
        vnet,
        ctx,
        lambda subnet: _egress(vnet, subnet, ctx, firewall_ips),
        path=PATH,
        expected=EXPECTED,
        failing="subnets whose Internet egress bypasses the firewall",
    )

import ipaddress
from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    SUBNETS,
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    judge_workload_subnets,
    list_at,
    lookup,
    lookup_in,
    rule,
)

NSGS = "Microsoft.Network/networkSecurityGroups"
NSG_RULES = "Microsoft.Network/networkSecurityGroups/securityRules"
PATH = "properties.subnets[].properties.{natGateway.id,networkSecurityGroup.id -> securityRules[Outbound]}"
EXPECTED = (
    "every workload subnet has no NAT gateway and an NSG whose first outbound rule to the Internet "
    "(before the default AllowInternetOutBound) denies all traffic"
)


def _to_internet(props: Mapping[str, Any]) -> bool | None:
    """Whether a rule's destination is the whole Internet; None when unresolved."""
    values = [props.get("destinationAddressPrefix"), *list_at(props, "destinationAddressPrefixes")]
    for value in values:
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return None
        text = value.strip().lower()
        if text in ("*", "internet", "any"):
            return True
        try:
            if ipaddress.ip_network(text, strict=False).prefixlen == 0:
                return True
        except ValueError:
            continue  # service tags (AzureCloud, Storage...) and single addresses are explicit egress
    return False


def _all_traffic(props: Mapping[str, Any]) -> bool:
    ports = [props.get("destinationPortRange"), *list_at(props, "destinationPortRanges")]
    every_port = any(str(p).strip() in ("*", "0-65535") for p in ports if p is not None)
    return str(props.get("protocol", "")).strip() == "*" and every_port


def _outbound(nsg: Resource, ctx: Context) -> tuple[Status, str]:
    """Does the NSG stop direct Internet egress before the default AllowInternetOutBound (65001)?"""
    inline = lookup(nsg, "properties.securityRules")
    if inline.presence in (Presence.NOT_COLLECTED, Presence.UNRESOLVED) or (
        inline.found and not isinstance(inline.value, list)
    ):
        return Status.UNKNOWN, f"rules of {nsg.name} not in the input"
    rules: list[Mapping[str, Any]] = [r for r in inline.value if isinstance(r, Mapping)] if inline.found else []
    rules.extend(child.raw for child in ctx.children(nsg, NSG_RULES).items)
    outbound: list[tuple[int, str, Mapping[str, Any]]] = []
    for sec_rule in rules:
        props = sec_rule.get("properties")
        if not isinstance(props, Mapping):
            return Status.UNKNOWN, f"a rule of {nsg.name} has no properties"
        if str(props.get("direction", "")).lower() != "outbound":
            continue
        priority = props.get("priority")
        if isinstance(priority, str) and priority.strip().isdigit():
            priority = int(priority)
        if isinstance(priority, bool) or not isinstance(priority, int):
            return Status.UNKNOWN, f"rule {sec_rule.get('name')} of {nsg.name} has no readable priority"
        outbound.append((priority, str(sec_rule.get("name", "?")), props))
    for _, name, props in sorted(outbound, key=lambda r: r[0]):
        internet = _to_internet(props)
        if internet is None:
            return Status.UNKNOWN, f"destination of rule {name} in {nsg.name} is unresolved"
        if not internet:
            continue
        access = str(props.get("access", "")).lower()
        if access == "allow":
            return Status.FAIL, f"{nsg.name} rule {name} allows outbound Internet traffic"
        if access == "deny" and _all_traffic(props):
            return Status.PASS, ""
    return Status.FAIL, f"{nsg.name} has no rule denying outbound Internet traffic (AllowInternetOutBound applies)"


def _egress(subnet: Mapping[str, Any], ctx: Context) -> tuple[Status, str]:
    """Whether a workload subnet can reach the Internet directly: (status, why)."""
    nat = lookup_in(subnet, "properties.natGateway.id")
    nsg_id = lookup_in(subnet, "properties.networkSecurityGroup.id")
    if nat.found and nat.value:
        return Status.FAIL, "NAT gateway attached"
    if Presence.UNRESOLVED in (nat.presence, nsg_id.presence):
        return Status.UNKNOWN, "NAT gateway or NSG is an unresolved template expression"
    if not (nsg_id.found and isinstance(nsg_id.value, str)):
        return Status.FAIL, "no NSG (AllowInternetOutBound applies)"
    nsg = ctx.get(nsg_id.value)
    if nsg is None:
        return Status.UNKNOWN, f"NSG {nsg_id.value} not in the input"
    return _outbound(nsg, ctx)


@rule(
    id="NET-32",
    title="Workload subnets: no NAT gateway and NSG denies direct outbound Internet",
    severity="medium",
    resource_types=["Microsoft.Network/virtualNetworks"],
    reads=[SUBNETS, NSGS, NSG_RULES],
    citations=["164.312(e)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A NAT gateway or the NSG default AllowInternetOutBound rule lets workloads holding ePHI send data "
        "straight to the Internet; denying outbound Internet in the NSG leaves only explicit, inspected egress "
        "(service tags, the firewall) open."
    ),
    remediation=(
        "az network vnet subnet update --vnet-name <vnet> -g <rg> -n <subnet> --remove natGateway; "
        "az network nsg rule create --nsg-name <nsg> -g <rg> -n deny-internet-out --priority 4000 "
        "--direction Outbound --access Deny --protocol '*' --destination-address-prefixes Internet "
        "--destination-port-ranges '*'"
    ),
)
def check(vnet: Resource, ctx: Context) -> Verdict:
    return judge_workload_subnets(
        vnet,
        ctx,
        lambda subnet: _egress(subnet, ctx),
        path=PATH,
        expected=EXPECTED,
        failing="subnets with direct Internet egress",
    )

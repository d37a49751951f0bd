from collections.abc import Mapping

from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    list_at,
    lookup,
    lookup_in,
    nsg_internet_exposure,
    rule,
)

NSG_RULES = "Microsoft.Network/networkSecurityGroups/securityRules"
VNETS = "Microsoft.Network/virtualNetworks"
SUBNETS = "Microsoft.Network/virtualNetworks/subnets"
GATEWAYS = "Microsoft.Network/applicationGateways"
EXPECTED = "no inbound Allow from the Internet to port 80, except on Application Gateway subnets"


def _ids(values: list[object]) -> set[str]:
    return {v["id"].lower().rstrip("/") for v in values if isinstance(v, Mapping) and isinstance(v.get("id"), str)}


def _associated_subnets(nsg: Resource, ctx: Context) -> set[str]:
    """Subnets the NSG is on: the NSG's read-only ``subnets`` list, and subnets in the
    input that reference it (all a template shows)."""
    found = _ids(list_at(nsg.raw.get("properties"), "subnets"))
    for vnet in ctx.of_type(VNETS):
        for subnet in list_at(vnet.raw.get("properties"), "subnets"):
            if not isinstance(subnet, Mapping):
                continue
            ref = lookup_in(subnet, "properties.networkSecurityGroup.id").value
            if isinstance(ref, str) and ref.lower().rstrip("/") == nsg.key:
                found.add(f"{vnet.key}/subnets/{str(subnet.get('name', '')).lower()}")
    for child in ctx.of_type(SUBNETS):
        ref = lookup(child, "properties.networkSecurityGroup.id").value
        if isinstance(ref, str) and ref.lower().rstrip("/") == nsg.key:
            found.add(child.key)
    return found


def _gateway_subnet(subnet_id: str, ctx: Context) -> bool | None:
    """Whether an Application Gateway sits in the subnet; None when the input cannot tell."""
    for gateway in ctx.of_type(GATEWAYS):
        configs = list_at(gateway.raw.get("properties"), "gatewayIPConfigurations")
        if subnet_id in {
            s.lower().rstrip("/")
            for c in configs
            if isinstance(c, Mapping) and isinstance(s := lookup_in(c, "properties.subnet.id").value, str)
        }:
            return True
    vnet_id, _, name = subnet_id.rpartition("/subnets/")
    vnet = ctx.get(vnet_id)
    child = ctx.get(subnet_id)
    candidates = [child.raw] if child is not None else []
    if vnet is not None:
        candidates.extend(
            s
            for s in list_at(vnet.raw.get("properties"), "subnets")
            if isinstance(s, Mapping) and str(s.get("name", "")).lower() == name
        )
    for subnet in candidates:
        props = subnet.get("properties")
        if isinstance(props, Mapping):
            # ARM lists the gateways in a subnet under applicationGatewayIPConfigurations.
            return bool(list_at(props, "applicationGatewayIPConfigurations"))
    return None


@rule(
    id="NET-05",
    title="NSG: no HTTP(80) from Internet except to WAF/App Gateway subnets",
    severity="medium",
    resource_types=["Microsoft.Network/networkSecurityGroups"],
    reads=[NSG_RULES, VNETS, SUBNETS, GATEWAYS],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale=(
        "Plain HTTP from the Internet carries requests and ePHI unencrypted; only an Application Gateway "
        "subnet, whose WAF listener redirects HTTP to HTTPS, should accept it."
    ),
    remediation=(
        "az network nsg rule update --nsg-name <nsg> --resource-group <rg> --name <rule> --access Deny "
        "(publish web apps over HTTPS through an Application Gateway with WAF instead)"
    ),
)
def check(nsg: Resource, ctx: Context) -> Verdict:
    exposure = nsg_internet_exposure(nsg, ctx, ports=[80], protocols=("*", "tcp"))

    def verdict(status: Status, message: str) -> Verdict:
        return Verdict(status, exposure.path, exposure.observed, EXPECTED, message)

    if exposure.status is not Status.FAIL:
        return verdict(exposure.status, exposure.message)

    if _ids(list_at(nsg.raw.get("properties"), "networkInterfaces")):
        return verdict(Status.FAIL, "rules allow HTTP from the Internet to network interfaces")
    subnets = _associated_subnets(nsg, ctx)
    if not subnets:
        return verdict(Status.FAIL, "rules allow HTTP from the Internet (the NSG is on no Application Gateway subnet)")
    kinds = {subnet: _gateway_subnet(subnet, ctx) for subnet in sorted(subnets)}
    if any(kind is False for kind in kinds.values()):
        return verdict(Status.FAIL, "rules allow HTTP from the Internet to subnets without an Application Gateway")
    if all(kinds.values()):
        return verdict(Status.PASS, "HTTP from the Internet reaches only Application Gateway subnets")
    unclear = [s.rsplit("/", 1)[-1] for s, kind in kinds.items() if kind is None]
    return verdict(
        Status.UNKNOWN, f"rules allow HTTP from the Internet; not known whether {unclear} host an Application Gateway"
    )

from hipaa_scan.engine import Context, Presence, Resource, Semantics, Status, Verdict, lookup, rule, unknown

PATH = "properties.ipConfiguration.id"
# Resource types (the id segment after providers/Microsoft.Network/) built to face
# the Internet: they terminate or filter inbound traffic themselves.
EDGE = frozenset({"azurefirewalls", "applicationgateways", "bastionhosts", "loadbalancers", "virtualnetworkgateways"})
EXPECTED = "attached to an Azure Firewall, Application Gateway, Bastion, load balancer or VPN/ExpressRoute gateway"


def _owner_type(config_id: str) -> str:
    """``.../providers/Microsoft.Network/applicationGateways/agw/frontendIPConfigurations/fe``
    -> ``applicationgateways``."""
    parts = config_id.lower().split("/")
    try:
        at = parts.index("providers")
    except ValueError:
        return ""
    return parts[at + 2] if len(parts) > at + 2 else ""


@rule(
    id="NET-27",
    title="Public IPs only on approved edge resources",
    severity="medium",
    resource_types=["Microsoft.Network/publicIPAddresses"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A public IP on a NIC or other workload exposes it to the Internet directly. Without an organisation "
        "list of approved edge resources, the rule accepts the Azure services built for that role (Azure "
        "Firewall, Application Gateway, Bastion, load balancers, VPN/ExpressRoute gateways) and NAT gateways, "
        "which carry outbound traffic only."
    ),
    remediation=(
        "Move the public IP to the firewall, Application Gateway or load balancer in front of the workload, "
        "e.g. az network nic ip-config update --nic-name <nic> -g <rg> -n <ipconfig> --remove publicIpAddress"
    ),
)
def check(pip: Resource, _ctx: Context) -> Verdict:
    config = lookup(pip, PATH)
    if config.found and isinstance(config.value, str) and config.value:
        owner = _owner_type(config.value)
        if owner in EDGE:
            return Verdict(Status.PASS, PATH, config.value, EXPECTED)
        return Verdict(Status.FAIL, PATH, config.value, EXPECTED, f"attached to a {owner or 'non-edge resource'}")
    if config.presence is not Presence.MISSING:
        return unknown(PATH, "the public IP's attachment was not in the input", EXPECTED)
    nat = lookup(pip, "properties.natGateway.id")
    if nat.found and nat.value:
        return Verdict(Status.PASS, "properties.natGateway.id", nat.value, EXPECTED, "NAT gateway (outbound only)")
    if pip.semantics is Semantics.DESIRED:
        # ipConfiguration is read-only: a template declares the attachment on the NIC or gateway instead.
        return unknown(PATH, "a template does not say which resource uses the public IP", EXPECTED)
    return Verdict(Status.NOT_APPLICABLE, PATH, None, EXPECTED, "not attached to any resource; delete it if unused")

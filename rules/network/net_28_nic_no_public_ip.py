from collections.abc import Mapping

from hipaa_scan.engine import Context, Presence, Resource, Status, Verdict, lookup, lookup_in, rule, unknown

PATH = "properties.ipConfigurations[].properties.publicIPAddress.id"
EXPECTED = "no ipConfiguration has a public IP address"


@rule(
    id="NET-28",
    title="Network interfaces have no public IP",
    severity="high",
    resource_types=["Microsoft.Network/networkInterfaces"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A public IP on a network interface makes the attached workload directly reachable from the Internet; "
        "systems holding ePHI should be reached through a firewall, load balancer, Bastion or private link."
    ),
    remediation=(
        "az network nic ip-config update --nic-name <nic> --resource-group <rg> --name <ipconfig> "
        "--remove publicIpAddress"
    ),
)
def check(nic: Resource, _ctx: Context) -> Verdict:
    found = lookup(nic, "properties.ipConfigurations")
    if not found.found or not isinstance(found.value, list):
        return unknown(PATH, "ipConfigurations were not in the input", EXPECTED)
    public: list[str] = []
    unresolved: list[str] = []
    for config in found.value:
        props = config.get("properties") if isinstance(config, Mapping) else None
        if not isinstance(props, Mapping):
            # A bare reference or an unresolved template value: the public IP cannot be read.
            unresolved.append(str(config.get("name") if isinstance(config, Mapping) else config))
            continue
        pip = lookup_in(props, "publicIPAddress.id")
        if pip.found and pip.value:
            public.append(str(pip.value))
        elif pip.presence is Presence.UNRESOLVED:
            unresolved.append(str(config.get("name")))
    if public:
        return Verdict(Status.FAIL, PATH, sorted(public), EXPECTED, "network interface has a public IP address")
    if unresolved:
        return Verdict(Status.UNKNOWN, PATH, sorted(unresolved), EXPECTED, "ipConfigurations could not be read")
    return Verdict(Status.PASS, PATH, [], EXPECTED)

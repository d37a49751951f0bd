from collections.abc import Mapping

from hipaa_scan.engine import Context, Presence, Resource, Status, Verdict, lookup, lookup_in, rule, unknown

PATH = "properties.networkProfile.networkInterfaces[].id -> properties.ipConfigurations[].properties.publicIPAddress.id"
EXPECTED = "no NIC of the VM has an ipConfiguration with a public IP address"


@rule(
    id="VM-07",
    title="VM has no public IP",
    severity="high",
    resource_types=["Microsoft.Compute/virtualMachines"],
    reads=["Microsoft.Network/networkInterfaces"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A public IP on a VM makes it directly reachable from the Internet; ePHI workloads should be reached "
        "only through a firewall, load balancer, Bastion or private connectivity."
    ),
    remediation=(
        "az network nic ip-config update --nic-name <nic> --resource-group <rg> --name <ipconfig> "
        "--remove publicIpAddress"
    ),
)
def check(vm: Resource, ctx: Context) -> Verdict:
    found = lookup(vm, "properties.networkProfile.networkInterfaces")
    if not found.found or not isinstance(found.value, list) or not found.value:
        return unknown(PATH, "the VM's network interfaces were not in the input", EXPECTED)
    public: list[str] = []
    missing: list[str] = []
    for ref in found.value:
        nic_id = lookup_in(ref, "id") if isinstance(ref, Mapping) else None
        if nic_id is None or not nic_id.found or not isinstance(nic_id.value, str):
            missing.append(str(ref))
            continue
        nic = ctx.get(nic_id.value)
        configs = lookup(nic, "properties.ipConfigurations") if nic is not None else None
        if configs is None or not configs.found or not isinstance(configs.value, list):
            missing.append(nic_id.value)
            continue
        for config in configs.value:
            pip = lookup_in(config, "properties.publicIPAddress.id") if isinstance(config, Mapping) else None
            if pip is not None and pip.found and pip.value:
                public.append(str(pip.value))
            elif pip is None or pip.presence is Presence.UNRESOLVED:
                missing.append(nic_id.value)
    if public:
        return Verdict(Status.FAIL, PATH, sorted(public), EXPECTED, "VM has a public IP address")
    if missing:
        return Verdict(Status.UNKNOWN, PATH, sorted(set(missing)), EXPECTED, "network interfaces not in the input")
    return Verdict(Status.PASS, PATH, [], EXPECTED)

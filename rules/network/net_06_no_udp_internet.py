from hipaa_scan.engine import Context, Resource, Verdict, nsg_internet_exposure, rule


@rule(
    id="NET-06",
    title="NSG: no UDP from Internet",
    severity="high",
    resource_types=["Microsoft.Network/networkSecurityGroups"],
    reads=["Microsoft.Network/networkSecurityGroups/securityRules"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "Inbound UDP from the Internet exposes services (DNS, NTP, SNMP, custom protocols) that are common "
        "amplification and exploit targets; workloads handling ePHI rarely need it."
    ),
    remediation=(
        "az network nsg rule update --nsg-name <nsg> --resource-group <rg> --name <rule> --access Deny "
        "(or set --protocol Tcp / restrict --source-address-prefixes to trusted ranges)."
    ),
)
def check(nsg: Resource, ctx: Context) -> Verdict:
    return nsg_internet_exposure(nsg, ctx, ports=None, protocols=("udp", "*"), any_port=True)

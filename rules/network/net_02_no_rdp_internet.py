from hipaa_scan.engine import Context, Resource, Verdict, nsg_internet_exposure, rule


@rule(
    id="NET-02",
    title="NSG: no RDP (3389) from Internet",
    severity="critical",
    resource_types=["Microsoft.Network/networkSecurityGroups"],
    reads=["Microsoft.Network/networkSecurityGroups/securityRules"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "RDP open to the Internet is a leading ransomware entry point into hosts holding ePHI; "
        "management access should come through Bastion, VPN or just-in-time access."
    ),
    remediation=(
        "az network nsg rule update --nsg-name <nsg> --resource-group <rg> --name <rule> --access Deny "
        "(or restrict --source-address-prefixes to trusted ranges / use Azure Bastion)."
    ),
)
def check(nsg: Resource, ctx: Context) -> Verdict:
    return nsg_internet_exposure(nsg, ctx, ports=[3389], protocols=("*", "tcp", "udp"))

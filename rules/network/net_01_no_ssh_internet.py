from hipaa_scan.engine import Context, Resource, Verdict, nsg_internet_exposure, rule


@rule(
    id="NET-01",
    title="NSG: no SSH (22) from Internet",
    severity="critical",
    resource_types=["Microsoft.Network/networkSecurityGroups"],
    reads=["Microsoft.Network/networkSecurityGroups/securityRules"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "SSH open to the Internet exposes hosts that process ePHI to brute-force and exploit attempts; "
        "management access should come through Bastion, VPN or just-in-time access."
    ),
    remediation=(
        "az network nsg rule update --nsg-name <nsg> --resource-group <rg> --name <rule> --access Deny "
        "(or restrict --source-address-prefixes to trusted ranges / use Azure Bastion)."
    ),
)
def check(nsg: Resource, ctx: Context) -> Verdict:
    return nsg_internet_exposure(nsg, ctx, ports=[22], protocols=("*", "tcp"))

from hipaa_scan.engine import Context, Resource, Verdict, nsg_internet_exposure, rule


@rule(
    id="NET-03",
    title="NSG: no any-port / any-protocol inbound from Internet",
    severity="critical",
    resource_types=["Microsoft.Network/networkSecurityGroups"],
    reads=["Microsoft.Network/networkSecurityGroups/securityRules"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "An inbound Allow from the Internet on every port removes network access control for every "
        "workload behind the NSG, including systems that store or process ePHI."
    ),
    remediation=(
        "az network nsg rule delete --nsg-name <nsg> --resource-group <rg> --name <rule> "
        "and add rules that allow only the required ports from trusted sources."
    ),
)
def check(nsg: Resource, ctx: Context) -> Verdict:
    return nsg_internet_exposure(nsg, ctx, ports=None)

from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, combine_all, defender_plan, rule


@rule(
    id="DEF-02",
    title="Defender for SQL (Azure SQL + SQL on machines) on",
    severity="high",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(1)(ii)(A)", "164.308(a)(6)(ii)"],
    rationale=(
        "Defender for SQL detects SQL injection, anomalous access and vulnerable configurations on databases "
        "that commonly store ePHI, both in Azure SQL and on SQL Server VMs."
    ),
    remediation=(
        "az security pricing create --name SqlServers --tier Standard && "
        "az security pricing create --name SqlServerVirtualMachines --tier Standard"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return combine_all(
        [
            defender_plan(subscription, ctx, "SqlServers"),
            defender_plan(subscription, ctx, "SqlServerVirtualMachines"),
        ]
    )

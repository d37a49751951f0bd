from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, defender_plan, rule


@rule(
    id="DEF-04",
    title="Defender for Cosmos DB on",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(1)(ii)(A)", "164.308(a)(6)(ii)"],
    rationale=(
        "Defender for Azure Cosmos DB alerts on SQL injection, access from suspicious locations and unusual "
        "data extraction from Cosmos DB accounts that may hold ePHI."
    ),
    remediation="az security pricing create --name CosmosDbs --tier Standard",
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return defender_plan(subscription, ctx, "CosmosDbs")

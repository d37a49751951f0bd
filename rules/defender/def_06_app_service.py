from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, defender_plan, rule


@rule(
    id="DEF-06",
    title="Defender for App Service on",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(6)(ii)"],
    rationale=(
        "Defender for App Service detects attacks on web apps that handle ePHI, such as web shells, "
        "suspicious process execution and dangling DNS takeover attempts."
    ),
    remediation="az security pricing create --name AppServices --tier Standard",
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return defender_plan(subscription, ctx, "AppServices")

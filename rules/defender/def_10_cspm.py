from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, defender_plan, rule


@rule(
    id="DEF-10",
    title="Defender CSPM on",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(1)(ii)(A)", "164.308(a)(8)"],
    rationale=(
        "Defender CSPM (plan 'CloudPosture') adds attack-path analysis, agentless scanning and sensitive-data "
        "discovery to the free posture checks, so risks to resources holding ePHI are found and prioritised "
        "continuously, supporting the risk analysis and periodic technical evaluation."
    ),
    remediation="az security pricing create --name CloudPosture --tier Standard",
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return defender_plan(subscription, ctx, "CloudPosture")

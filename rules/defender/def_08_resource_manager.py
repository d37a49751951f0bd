from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, defender_plan, rule


@rule(
    id="DEF-08",
    title="Defender for Resource Manager on",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(6)(ii)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "Defender for Resource Manager watches control-plane operations for suspicious activity, such as "
        "mass changes or access from malicious IPs, across every resource that holds ePHI."
    ),
    remediation="az security pricing create --name Arm --tier Standard",
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return defender_plan(subscription, ctx, "Arm")

from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, defender_plan, rule


@rule(
    id="DEF-01",
    title="Microsoft Defender for Servers enabled",
    severity="high",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(1)(ii)(A)", "164.308(a)(5)(ii)(B)", "164.308(a)(6)(ii)", "164.308(a)(8)"],
    rationale="Defender for Servers provides vulnerability assessment, malware detection and incident alerts for VMs holding ePHI.",
    remediation="az security pricing create --name VirtualMachines --tier Standard --subplan P2",
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return defender_plan(subscription, ctx, "VirtualMachines")

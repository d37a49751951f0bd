from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Status, Verdict, defender_plan, rule

CONTAINER_TYPES = ("Microsoft.ContainerService/managedClusters", "Microsoft.ContainerRegistry/registries")


@rule(
    id="DEF-09",
    title="Defender for Containers on (if AKS/ACR in scope)",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[
        "Microsoft.ContainerRegistry/registries",
        "Microsoft.ContainerService/managedClusters",
        "Microsoft.Security/pricings",
    ],
    citations=["164.308(a)(5)(ii)(B)", "164.308(a)(1)(ii)(A)"],
    rationale=(
        "Defender for Containers scans images for vulnerabilities and detects runtime threats in AKS clusters "
        "and registries that run or ship workloads processing ePHI."
    ),
    remediation="az security pricing create --name Containers --tier Standard",
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    verdict = defender_plan(subscription, ctx, "Containers")
    if verdict.status is not Status.FAIL:
        return verdict
    # Absence of AKS/ACR in the input does not prove there are none, so the plan still fails; say so.
    in_input = any(r.subscription_id == subscription.subscription_id for t in CONTAINER_TYPES for r in ctx.of_type(t))
    if in_input:
        return verdict
    note = "no AKS cluster or container registry in the input for this subscription"
    message = "; ".join(m for m in (verdict.message, note) if m)
    return Verdict(verdict.status, verdict.path, verdict.observed, verdict.expected, message)

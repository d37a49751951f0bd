from hipaa_scan.engine import (
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    combine_any,
    equals,
    judge,
    lookup,
    non_empty,
    not_one_of,
    rule,
    unknown,
)

ASE = "properties.hostingEnvironmentProfile.id"
ILB = "properties.internalLoadBalancingMode"


def _internal_ase(site: Resource, ctx: Context) -> Verdict:
    """An app in an App Service Environment with an internal load balancer has no public endpoint."""
    ase_id = lookup(site, ASE)
    if ase_id.presence is Presence.MISSING:
        return Verdict(Status.FAIL, ASE, None, "runs in an internal App Service Environment", "not in an ASE")
    if not ase_id.found:
        return judge(ase_id, non_empty())
    ase = ctx.get(ase_id.value) if isinstance(ase_id.value, str) else None
    expected = f"hosting environment {ILB} != 'None'"
    if ase is None:
        return unknown(f"{ASE} -> {ILB}", "the App Service Environment was not in the input", expected)
    # An ASE is external (ILB mode None) unless created with an internal load balancer.
    verdict = judge(lookup(ase, ILB), not_one_of("None"), Status.FAIL)
    return Verdict(verdict.status, f"{ASE} -> {ILB}", verdict.observed, expected, verdict.message)


@rule(
    id="APP-05",
    title="App Service public network access disabled / private endpoint",
    severity="medium",
    resource_types=["Microsoft.Web/sites"],
    reads=["Microsoft.Web/hostingEnvironments"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "An app that serves or processes ePHI should be reachable only through private endpoints or an internal "
        "App Service Environment, not from the whole Internet."
    ),
    remediation=(
        "Create a private endpoint for the app, then az webapp update --name <app> --resource-group <rg> "
        "--set publicNetworkAccess=Disabled"
    ),
)
def check(site: Resource, ctx: Context) -> Verdict:
    return combine_any(
        [
            # Azure Policy treats an absent publicNetworkAccess as enabled.
            judge(lookup(site, "properties.publicNetworkAccess"), equals("Disabled"), Status.FAIL),
            _internal_ase(site, ctx),
        ]
    )

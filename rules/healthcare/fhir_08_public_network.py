from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    combine_all,
    equals,
    judge,
    lookup,
    rule,
    unknown,
)

PNA = "properties.publicNetworkAccess"
DISABLED = equals("Disabled")


def _workspace(service: Resource, ctx: Context) -> Verdict:
    workspace = ctx.parent(service)
    if workspace is None:
        return unknown(f"workspace: {PNA}", "the parent workspace was not in the input", DISABLED.description)
    # publicNetworkAccess defaults to Enabled.
    verdict = judge(lookup(workspace, PNA), DISABLED, Status.FAIL)
    return Verdict(verdict.status, f"workspace: {PNA}", verdict.observed, verdict.expected, verdict.message)


@rule(
    id="FHIR-08",
    title="Health Data Services FHIR service: public network access disabled",
    severity="high",
    resource_types=["Microsoft.HealthcareApis/workspaces/fhirservices"],
    reads=["Microsoft.HealthcareApis/workspaces"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A FHIR service is an ePHI store by design; with public network access disabled on it and its "
        "workspace it is reachable only through the workspace's private endpoints."
    ),
    remediation=(
        "Create a private endpoint on the workspace, then az healthcareapis workspace update --name <ws> "
        "--resource-group <rg> --public-network-access Disabled (and the same on the FHIR service)"
    ),
)
def check(service: Resource, ctx: Context) -> Verdict:
    return combine_all([judge(lookup(service, PNA), DISABLED, Status.FAIL), _workspace(service, ctx)])

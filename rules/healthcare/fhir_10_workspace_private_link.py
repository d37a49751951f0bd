from hipaa_scan.engine import Context, Resource, Verdict, approved_private_endpoint, rule


@rule(
    id="FHIR-10",
    title="Health Data Services workspace has approved private endpoint",
    severity="high",
    resource_types=["Microsoft.HealthcareApis/workspaces"],
    citations=["164.312(a)(1)", "164.312(e)(1)"],
    rationale=(
        "Private endpoints for Health Data Services are created on the workspace; without an approved one, "
        "its FHIR and DICOM services holding ePHI can only be reached over their public endpoints."
    ),
    remediation=(
        "az network private-endpoint create --name <pe> --resource-group <rg> --vnet-name <vnet> --subnet <subnet> "
        "--private-connection-resource-id <workspace-id> --group-id healthcareworkspace --connection-name <name>"
    ),
)
def check(workspace: Resource, _ctx: Context) -> Verdict:
    return approved_private_endpoint(workspace)

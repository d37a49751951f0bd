from hipaa_scan.engine import Context, Resource, Verdict, location_allowed, rule


@rule(
    id="GOV-03",
    title="All resources in approved regions",
    severity="medium",
    resource_types=[
        "Microsoft.KeyVault/vaults",
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Sql/servers",
        "Microsoft.DocumentDB/databaseAccounts",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Compute/disks",
        "Microsoft.Web/sites",
        "Microsoft.HealthcareApis/services",
        "Microsoft.HealthcareApis/workspaces",
        "Microsoft.HealthcareApis/workspaces/fhirservices",
        "Microsoft.MachineLearningServices/workspaces",
        "Microsoft.RecoveryServices/vaults",
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.Network/virtualNetworks",
    ],
    citations=["164.308(a)(1)(ii)(B)"],
    rationale=(
        "Keeping resources that hold ePHI in approved regions supports the risk analysis and BAA scope "
        "(data residency, covered services) the organisation has assessed."
    ),
    remediation=(
        "Move or redeploy the resource to an approved region, and assign the built-in 'Allowed locations' "
        "policy (e56962a6-4747-49cd-b67b-bf8b01975c4c) to prevent new ones."
    ),
)
def check(resource: Resource, ctx: Context) -> Verdict:
    return location_allowed(resource, ctx)

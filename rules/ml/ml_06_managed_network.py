from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="ML-06",
    title="Azure ML managed VNet allows only approved outbound",
    severity="medium",
    resource_types=["Microsoft.MachineLearningServices/workspaces"],
    citations=["164.312(e)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "With the managed VNet in AllowOnlyApprovedOutbound mode, compute that trains on ePHI can reach only "
        "destinations the organisation approved, which blocks exfiltration to arbitrary Internet hosts."
    ),
    remediation=(
        "az ml workspace update --name <ws> --resource-group <rg> --managed-network allow_only_approved_outbound "
        "then az ml workspace provision-network --name <ws> --resource-group <rg>"
    ),
    # Without managedNetwork the isolation mode is Disabled (no managed VNet, unrestricted egress).
    checks=[Check("properties.managedNetwork.isolationMode", equals("AllowOnlyApprovedOutbound"))],
)

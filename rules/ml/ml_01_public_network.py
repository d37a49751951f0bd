from hipaa_scan.engine import Check, equals, not_one_of, property_rule

RULE = property_rule(
    id="ML-01",
    title="Azure ML workspace public network access disabled",
    severity="high",
    resource_types=["Microsoft.MachineLearningServices/workspaces"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "ML workspaces hold training data and models derived from ePHI; disabling public network access "
        "restricts them to private endpoints."
    ),
    remediation=(
        "az ml workspace update --name <ws> --resource-group <rg> --public-network-access Disabled "
        "(and do not set allowPublicAccessWhenBehindVnet)"
    ),
    checks=[
        # publicNetworkAccess defaults to Enabled.
        Check("properties.publicNetworkAccess", equals("Disabled")),
        # Only an explicit true re-opens public access; the API default is false.
        Check("properties.allowPublicAccessWhenBehindVnet", not_one_of(True)),
    ],
)

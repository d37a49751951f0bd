from hipaa_scan.engine import Check, Status, equals, property_rule

RULE = property_rule(
    id="MON-10",
    title="Log Analytics blocks public ingestion/query; local auth disabled",
    severity="low",
    resource_types=["Microsoft.OperationalInsights/workspaces"],
    citations=["164.312(a)(1)"],
    rationale=(
        "Audit logs in a Log Analytics workspace often contain ePHI (sign-in names, query text, record ids). "
        "Blocking ingestion and queries from public networks keeps them reachable only through Azure Monitor "
        "Private Link, and disabling local (workspace key) authentication makes every writer use an Entra "
        "identity (Azure Policy 6c53d030 and e15effd4)."
    ),
    remediation=(
        "Connect the workspace to an Azure Monitor Private Link Scope, then az monitor log-analytics workspace "
        "update --workspace-name <ws> --resource-group <rg> --ingestion-access Disabled --query-access Disabled; "
        "az resource update --ids <workspace-id> --set properties.features.disableLocalAuth=true"
    ),
    checks=[
        # Both network flags default to Enabled; local authentication is allowed unless disabled.
        Check("properties.publicNetworkAccessForIngestion", equals("Disabled"), when_missing=Status.FAIL),
        Check("properties.publicNetworkAccessForQuery", equals("Disabled"), when_missing=Status.FAIL),
        Check("properties.features.disableLocalAuth", equals(True), when_missing=Status.FAIL),
    ],
)

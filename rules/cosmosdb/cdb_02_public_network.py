from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="CDB-02",
    title="Cosmos DB public network access disabled",
    severity="high",
    resource_types=["Microsoft.DocumentDB/databaseAccounts"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale="With public network access disabled, Cosmos DB accounts holding ePHI are reachable only through private endpoints.",
    remediation="az cosmosdb update --name <account> --resource-group <rg> --public-network-access Disabled (after creating a private endpoint)",
    # The service default is Enabled.
    checks=[Check("properties.publicNetworkAccess", equals("Disabled"))],
)

from hipaa_scan.engine import Check, property_rule, version_at_least

RULE = property_rule(
    id="CDB-07",
    title="Cosmos DB minimum TLS 1.2",
    severity="medium",
    resource_types=["Microsoft.DocumentDB/databaseAccounts"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale="Accepting TLS 1.0/1.1 lets clients move ePHI to and from Cosmos DB over deprecated encryption.",
    remediation="az cosmosdb update --name <account> --resource-group <rg> --minimal-tls-version Tls12",
    # Enum Tls/Tls11/Tls12; 'Tls12' reads as 1.2. The default changed over time, so absent is unknown.
    checks=[Check("properties.minimalTlsVersion", version_at_least("1.2"))],
)

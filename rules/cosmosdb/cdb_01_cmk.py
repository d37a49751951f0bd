from hipaa_scan.engine import Check, non_empty, property_rule

RULE = property_rule(
    id="CDB-01",
    title="Cosmos DB encrypted with customer-managed key",
    severity="medium",
    resource_types=["Microsoft.DocumentDB/databaseAccounts"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "A customer-managed key lets the organisation control, rotate and revoke the key that encrypts "
        "ePHI in Cosmos DB, beyond the always-on service-managed encryption."
    ),
    remediation="Set a CMK at account creation: az cosmosdb create --name <account> --resource-group <rg> --key-uri <key-uri> (existing accounts: az cosmosdb update --key-uri)",
    # Absent means service-managed keys, the default.
    checks=[Check("properties.keyVaultKeyUri", non_empty())],
)

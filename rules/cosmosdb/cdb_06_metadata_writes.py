from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="CDB-06",
    title="Cosmos DB key-based metadata writes disabled",
    severity="low",
    resource_types=["Microsoft.DocumentDB/databaseAccounts"],
    citations=["164.308(a)(4)(ii)(C)"],
    rationale=(
        "With key-based metadata writes disabled, databases and containers holding ePHI can only be created, "
        "changed or deleted through Azure RBAC-controlled, logged management operations."
    ),
    remediation="az cosmosdb update --name <account> --resource-group <rg> --disable-key-based-metadata-write-access true",
    # Absent means metadata writes with account keys are allowed, the default.
    checks=[Check("properties.disableKeyBasedMetadataWriteAccess", equals(True))],
)

from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="CDB-08",
    title="Cosmos DB continuous backup (PITR)",
    severity="medium",
    resource_types=["Microsoft.DocumentDB/databaseAccounts"],
    citations=["164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"],
    rationale=(
        "Continuous backup allows self-service point-in-time restore of ePHI to any second in the retention "
        "window; periodic backups keep only a few snapshots and need a support ticket to restore."
    ),
    remediation="az cosmosdb update --name <account> --resource-group <rg> --backup-policy-type Continuous --continuous-tier Continuous30Days (one-way migration)",
    # Absent backupPolicy means Periodic, the default.
    checks=[Check("properties.backupPolicy.type", equals("Continuous"))],
)

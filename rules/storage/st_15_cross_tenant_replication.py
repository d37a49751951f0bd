from hipaa_scan.engine import Check, Status, equals, property_rule

RULE = property_rule(
    id="ST-15",
    title="Storage cross-tenant object replication disabled",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(1)", "164.312(e)(1)"],
    rationale=(
        "Cross-tenant object replication lets a policy copy ePHI blobs into a storage account in another "
        "Microsoft Entra tenant, outside the organisation's access controls."
    ),
    remediation="az storage account update --name <account> --resource-group <rg> --allow-cross-tenant-replication false",
    # Absent (accounts created before the December 2023 default change) means allowed; Azure Policy: non-compliant.
    checks=[Check("properties.allowCrossTenantReplication", equals(False), when_missing=Status.FAIL)],
)

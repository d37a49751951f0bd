from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="ST-05",
    title="Storage shared key (account key) access disabled",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "Account keys and SAS tokens signed with them grant anonymous-identity, full access to ePHI; "
        "Microsoft Entra authorisation ties every request to a unique identity."
    ),
    remediation="az storage account update --name <account> --resource-group <rg> --allow-shared-key-access false",
    # Absent or null means shared key access is allowed (the service default).
    checks=[Check("properties.allowSharedKeyAccess", equals(False))],
)

from hipaa_scan.engine import Check, equals, non_empty, property_rule

RULE = property_rule(
    id="ST-09",
    title="Storage encrypted with customer-managed key",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(2)(iv)", "164.310(d)(1)"],
    rationale=(
        "A customer-managed key lets the organisation control, rotate and revoke the key that encrypts "
        "ePHI at rest, as BAAs and org policy often require."
    ),
    remediation=(
        "az storage account update --name <account> --resource-group <rg> --encryption-key-source Microsoft.Keyvault "
        "--encryption-key-vault <vault-uri> --encryption-key-name <key> --identity-type SystemAssigned"
    ),
    # Absent means platform-managed keys (keySource Microsoft.Storage), the default.
    # Storage spells it 'keyvaultproperties'/'keyvaulturi'; lookup is case-insensitive.
    checks=[
        Check("properties.encryption.keySource", equals("Microsoft.Keyvault")),
        Check("properties.encryption.keyvaultproperties.keyvaulturi", non_empty()),
    ],
)

from hipaa_scan.engine import Check, equals, non_empty, property_rule

RULE = property_rule(
    id="MY-03",
    title="MySQL flexible: customer-managed key",
    severity="medium",
    resource_types=["Microsoft.DBforMySQL/flexibleServers"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "A customer-managed key lets the organisation control, rotate and revoke the key that encrypts "
        "ePHI in the database and its backups."
    ),
    remediation="az mysql flexible-server update --name <server> --resource-group <rg> --key <key-uri> --identity <user-assigned-identity>",
    # Absent means service-managed keys (SystemManaged), the default.
    checks=[
        Check("properties.dataEncryption.type", equals("AzureKeyVault")),
        Check("properties.dataEncryption.primaryKeyURI", non_empty()),
    ],
)

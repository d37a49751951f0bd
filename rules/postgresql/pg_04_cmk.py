from hipaa_scan.engine import Check, equals, non_empty, property_rule

RULE = property_rule(
    id="PG-04",
    title="PostgreSQL flexible: customer-managed key",
    severity="medium",
    resource_types=["Microsoft.DBforPostgreSQL/flexibleServers"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "A customer-managed key lets the organisation control, rotate and revoke the key that encrypts "
        "ePHI in the database, its backups and its logs."
    ),
    remediation=(
        "Set at creation: az postgres flexible-server create ... --key <key-uri> --identity <user-assigned-identity> "
        "(existing servers: restore into a new server with a CMK)"
    ),
    # Absent means service-managed keys ({type: SystemManaged}), the default.
    checks=[
        Check("properties.dataEncryption.type", equals("AzureKeyVault")),
        Check("properties.dataEncryption.primaryKeyURI", non_empty()),
    ],
)

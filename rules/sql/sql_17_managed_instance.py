from hipaa_scan.engine import Check, Status, equals, non_empty, property_rule, version_at_least

RULE = property_rule(
    id="SQL-17",
    title="SQL Managed Instance: public data endpoint disabled, TLS 1.2, CMK",
    severity="high",
    resource_types=["Microsoft.Sql/managedInstances"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)", "164.312(a)(2)(iv)", "164.312(e)(1)"],
    rationale=(
        "A managed instance holding ePHI should be reachable only inside its VNet, accept only TLS 1.2+ and "
        "encrypt its databases with a customer-managed TDE key the organisation can rotate and revoke."
    ),
    remediation=(
        "az sql mi update --name <mi> --resource-group <rg> --public-data-endpoint-enabled false "
        "--minimal-tls-version 1.2; az sql mi tde-key set --managed-instance <mi> --resource-group <rg> "
        "--server-key-type AzureKeyVault --kid <key-uri>"
    ),
    checks=[
        Check("properties.publicDataEndpointEnabled", equals(False)),
        # Azure Policy treats an absent minimalTlsVersion (or 'None') as non-compliant.
        Check("properties.minimalTlsVersion", version_at_least("1.2"), when_missing=Status.FAIL),
        # No keyId means the service-managed TDE key.
        Check("properties.keyId", non_empty(), when_missing=Status.FAIL),
    ],
)

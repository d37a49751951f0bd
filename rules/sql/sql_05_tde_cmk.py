from hipaa_scan.engine import Check, Context, Resource, Status, Verdict, child_settings, equals, non_empty, rule


@rule(
    id="SQL-05",
    title="TDE protector is a customer-managed key (BYOK)",
    severity="high",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/encryptionProtector"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "A customer-managed TDE protector in Key Vault lets the organisation control, rotate and revoke "
        "the key that encrypts ePHI databases."
    ),
    remediation=(
        "az sql server key create --server <server> --resource-group <rg> --kid <key-uri>; "
        "az sql server tde-key set --server <server> --resource-group <rg> --server-key-type AzureKeyVault --kid <key-uri>"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    # Every server has an encryption protector; absent from a complete listing
    # means the service-managed default.
    return child_settings(
        server,
        ctx,
        "Microsoft.Sql/servers/encryptionProtector",
        [
            Check("properties.serverKeyType", equals("AzureKeyVault")),
            Check("properties.uri", non_empty()),
        ],
        name="current",
        absent=Status.FAIL,
    )

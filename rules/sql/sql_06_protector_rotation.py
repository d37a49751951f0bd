from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Status,
    Verdict,
    child_settings,
    equals,
    lookup,
    named_children,
    not_applicable,
    rule,
)

PROTECTOR = "Microsoft.Sql/servers/encryptionProtector"
EXPECTED = "customer-managed protector with properties.autoRotationEnabled == True"


@rule(
    id="SQL-06",
    title="TDE protector auto-rotation enabled",
    severity="low",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/encryptionProtector"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "With auto-rotation the server picks up each new version of the customer-managed TDE key, so the key "
        "encrypting ePHI databases is rotated without a manual, often forgotten, step."
    ),
    remediation="az sql server tde-key set --server <server> --resource-group <rg> --server-key-type AzureKeyVault --kid <key-uri> --auto-rotation-enabled true",
)
def check(server: Resource, ctx: Context) -> Verdict:
    protector = next(iter(named_children(server, ctx.children(server, PROTECTOR), "current")), None)
    key_type = lookup(protector, "properties.serverKeyType") if protector is not None else None
    if key_type is not None and key_type.found and not equals("AzureKeyVault")(key_type.value):
        reason = "service-managed protector, rotated by Microsoft (SQL-05 reports the missing CMK)"
        return not_applicable(f"{PROTECTOR}/current: {key_type.path}", key_type.value, reason, EXPECTED)
    # Every server has a protector; absent from a complete listing means the service-managed default.
    return child_settings(
        server,
        ctx,
        PROTECTOR,
        [
            Check("properties.serverKeyType", equals("AzureKeyVault")),
            Check("properties.autoRotationEnabled", equals(True)),
        ],
        name="current",
        absent=Status.NOT_APPLICABLE,
    )

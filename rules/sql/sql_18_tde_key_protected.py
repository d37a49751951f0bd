from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    equals,
    lookup,
    not_applicable,
    one_of,
    resolve_key_uri,
    rule,
    unknown,
)

PROTECTOR = "Microsoft.Sql/servers/encryptionProtector"
PATH = "server/encryptionProtector/current -> Key Vault key"
EXPECTED = "protector key is HSM-backed (RSA-HSM/EC-HSM) in a vault with purge protection"


@rule(
    id="SQL-18",
    title="Database TDE protector key is HSM-backed and its vault has purge protection",
    severity="high",
    resource_types=["Microsoft.Sql/servers/databases"],
    reads=[
        "Microsoft.KeyVault/vaults",
        "Microsoft.KeyVault/vaults/keys",
        "Microsoft.Sql/servers",
        "Microsoft.Sql/servers/encryptionProtector",
    ],
    citations=["164.312(a)(2)(iv)", "164.308(a)(7)(ii)(A)"],
    rationale=(
        "A customer-managed TDE key is only as safe as where it lives: a software key can be exported, and a "
        "vault without purge protection can lose the key for good, making the database's ePHI unrecoverable."
    ),
    remediation=(
        "Create the TDE protector as an RSA-HSM key in a Premium vault or Managed HSM with purge protection "
        "(az keyvault update --enable-purge-protection true), then az sql server tde-key set --server-key-type AzureKeyVault --kid <key-uri>."
    ),
)
def check(database: Resource, ctx: Context) -> Verdict:
    # database -> server -> encryption protector -> Key Vault -> key: every hop is an index lookup.
    if database.name.lower() == "master":
        return not_applicable("name", database.name, "master holds no user data", EXPECTED)
    server = ctx.parent(database)
    if server is None:
        return unknown(PATH, "the database's server is not in the input", EXPECTED)
    protectors = ctx.children(server, PROTECTOR).items
    protector = next((p for p in protectors if p.name.lower() == "current"), None)
    if protector is None:
        return unknown(PATH, "the server's encryption protector is not in the input", EXPECTED)
    key_type = lookup(protector, "properties.serverKeyType")
    if not (key_type.found and equals("AzureKeyVault")(key_type.value)):
        return not_applicable(PATH, key_type.value, "service-managed protector (see SQL-05)", EXPECTED)
    uri = lookup(protector, "properties.uri")
    if not (uri.found and isinstance(uri.value, str)):
        return unknown(PATH, "the protector has no key URI", EXPECTED)
    ref = resolve_key_uri(ctx, uri.value)
    if ref.vault is None:
        return unknown(PATH, f"key vault {ref.vault_name!r} is not in the input", EXPECTED)
    if ref.key is None:
        status = Status.FAIL if ref.key_listing_complete else Status.UNKNOWN
        return Verdict(status, PATH, uri.value, EXPECTED, f"key {ref.key_name!r} not found in vault {ref.vault.name!r}")
    kty = lookup(ref.key, "properties.kty")
    purge = lookup(ref.vault, "properties.enablePurgeProtection")
    observed = {"key": ref.key.id, "kty": kty.value, "vault": ref.vault.id, "enablePurgeProtection": purge.value}
    if not kty.found or not purge.found:
        if kty.found and not one_of("RSA-HSM", "EC-HSM")(kty.value):
            return Verdict(Status.FAIL, PATH, observed, EXPECTED, "software-protected key")
        if not purge.found and ref.vault.properties_collected:
            return Verdict(Status.FAIL, PATH, observed, EXPECTED, "vault purge protection is off (absent)")
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, "key type or vault settings not in the input")
    ok = one_of("RSA-HSM", "EC-HSM")(kty.value) and equals(True)(purge.value)
    return Verdict(Status.PASS if ok else Status.FAIL, PATH, observed, EXPECTED)

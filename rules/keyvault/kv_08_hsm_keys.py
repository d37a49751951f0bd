from hipaa_scan.engine import Check, one_of, property_rule

RULE = property_rule(
    id="KV-08",
    title="Key Vault keys are HSM-backed",
    severity="medium",
    resource_types=["Microsoft.KeyVault/vaults/keys"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "HSM-backed keys never leave the FIPS 140 validated hardware boundary, so the keys encrypting "
        "ePHI cannot be exported in plaintext."
    ),
    remediation="Create an HSM key in a Premium vault: az keyvault key create --vault-name <vault> --name <key> --kty RSA-HSM, then rotate consumers to it.",
    checks=[Check("properties.kty", one_of("RSA-HSM", "EC-HSM"))],
)

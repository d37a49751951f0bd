from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="KV-07",
    title="Key Vault Premium SKU (HSM-protected keys) or Managed HSM in use for PHI CMKs",
    severity="medium",
    resource_types=["Microsoft.KeyVault/vaults"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "Only the Premium SKU can hold HSM-protected keys; customer-managed keys for ePHI should never "
        "exist in software-only form."
    ),
    remediation="az keyvault update --name <vault> --sku premium (or keep PHI CMKs in a Managed HSM)",
    # Key Vault's sku sits inside properties (see azure-api-examples/keyvault_vaults_get.json).
    checks=[Check("properties.sku.name", equals("premium"))],
)

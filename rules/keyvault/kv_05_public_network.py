from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="KV-05",
    title="Key Vault public network access disabled",
    severity="medium",
    resource_types=["Microsoft.KeyVault/vaults"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "With public network access disabled the vault holding ePHI encryption keys is reachable "
        "only through private endpoints."
    ),
    remediation="az keyvault update --name <vault> --public-network-access Disabled (after creating a private endpoint)",
    # The service default is Enabled.
    checks=[Check("properties.publicNetworkAccess", equals("Disabled"))],
)

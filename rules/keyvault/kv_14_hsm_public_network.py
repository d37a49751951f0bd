from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="KV-14",
    title="Managed HSM public network access disabled",
    severity="medium",
    resource_types=["Microsoft.KeyVault/managedHSMs"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "With public network access disabled the HSM holding ePHI encryption keys is reachable only "
        "through private endpoints."
    ),
    remediation="az keyvault update-hsm --hsm-name <hsm> --resource-group <rg> --public-network-access Disabled (after creating a private endpoint)",
    # The service default is Enabled.
    checks=[Check("properties.publicNetworkAccess", equals("Disabled"))],
)

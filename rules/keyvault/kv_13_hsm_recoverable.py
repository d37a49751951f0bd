from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="KV-13",
    title="Managed HSM soft delete + purge protection enabled",
    severity="high",
    resource_types=["Microsoft.KeyVault/managedHSMs"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)"],
    rationale=(
        "Without purge protection a deleted Managed HSM or key can be purged at once, destroying the "
        "customer-managed keys that decrypt ePHI."
    ),
    remediation="az keyvault update-hsm --hsm-name <hsm> --resource-group <rg> --enable-purge-protection true (irreversible)",
    checks=[
        # Soft delete is on by default for every Managed HSM and is immutable (ManagedHsmProperties.enableSoftDelete).
        Check("properties.enableSoftDelete", equals(True)),
        # Purge protection is off unless set.
        Check("properties.enablePurgeProtection", equals(True)),
    ],
)

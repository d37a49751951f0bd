from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="KV-02",
    title="Key Vault purge protection enabled",
    severity="high",
    resource_types=["Microsoft.KeyVault/vaults"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)", "164.312(a)(2)(iv)"],
    rationale=(
        "Without purge protection a deleted vault or key can be purged during its retention period, "
        "destroying the customer-managed keys that decrypt ePHI."
    ),
    remediation="az keyvault update --name <vault> --enable-purge-protection true (irreversible).",
    checks=[Check("properties.enablePurgeProtection", equals(True))],
)

from hipaa_scan.engine import Check, at_least, equals, property_rule

RULE = property_rule(
    id="KV-01",
    title="Key Vault soft delete enabled (retention >= 7 days)",
    severity="high",
    resource_types=["Microsoft.KeyVault/vaults"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)", "164.312(a)(2)(iv)"],
    rationale=(
        "Soft delete keeps deleted keys and secrets recoverable, so an accidental or malicious deletion "
        "does not make the ePHI they encrypt permanently unreadable."
    ),
    remediation="az keyvault update --name <vault> --enable-soft-delete true --retention-days 90",
    checks=[
        Check("properties.enableSoftDelete", equals(True)),
        Check("properties.softDeleteRetentionInDays", at_least(7)),
    ],
)

from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="ST-10",
    title="Storage infrastructure (double) encryption",
    severity="low",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "Infrastructure encryption adds a second, independently keyed AES-256 layer, so ePHI stays encrypted "
        "even if one algorithm or key is compromised."
    ),
    remediation=(
        "Set only at creation: az storage account create ... --require-infrastructure-encryption true, "
        "then move the data (azcopy copy) and retire the old account."
    ),
    # Absent means the account was created without it (the default).
    checks=[Check("properties.encryption.requireInfrastructureEncryption", equals(True))],
)

from hipaa_scan.engine import Check, at_least, one_of, property_rule

SOFT_DELETE = "properties.securitySettings.softDeleteSettings"

RULE = property_rule(
    id="BK-01",
    title="Recovery Services vault soft delete enabled (AlwaysON preferred)",
    severity="high",
    resource_types=["Microsoft.RecoveryServices/vaults"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)"],
    rationale=(
        "Soft delete keeps deleted backups of ePHI recoverable for at least 14 days, so an attacker or mistake "
        "cannot destroy the retrievable exact copies the data backup plan requires."
    ),
    remediation=(
        "az backup vault backup-properties set --name <vault> --resource-group <rg> --soft-delete-state AlwaysON "
        "--soft-delete-duration 14"
    ),
    checks=[
        Check(f"{SOFT_DELETE}.softDeleteState", one_of("Enabled", "AlwaysON")),
        Check(f"{SOFT_DELETE}.softDeleteRetentionPeriodInDays", at_least(14)),
    ],
)

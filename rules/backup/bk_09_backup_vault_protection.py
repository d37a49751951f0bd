from hipaa_scan.engine import Check, one_of, property_rule

SECURITY = "properties.securitySettings"

RULE = property_rule(
    id="BK-09",
    title="Backup vault (Data Protection) soft delete + immutability",
    severity="medium",
    resource_types=["Microsoft.DataProtection/backupVaults"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)"],
    rationale=(
        "Soft delete and immutability keep recovery points of ePHI (blobs, disks, databases) from being deleted "
        "or altered before they expire, protecting the retrievable exact copies against ransomware."
    ),
    remediation=(
        "az dataprotection backup-vault update --vault-name <vault> --resource-group <rg> "
        "--soft-delete-state AlwaysOn --immutability-state Unlocked (then Locked)"
    ),
    checks=[
        Check(f"{SECURITY}.softDeleteSettings.state", one_of("On", "AlwaysOn")),
        # Immutability is not configured on a vault unless set; absent means Disabled.
        Check(f"{SECURITY}.immutabilitySettings.state", one_of("Unlocked", "Locked")),
    ],
)

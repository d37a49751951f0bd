from hipaa_scan.engine import Check, equals, property_rule

REDUNDANCY = "properties.redundancySettings"

RULE = property_rule(
    id="BK-04",
    title="Recovery Services vault geo-redundant with Cross Region Restore",
    severity="medium",
    resource_types=["Microsoft.RecoveryServices/vaults"],
    citations=["164.308(a)(7)(ii)(B)", "164.308(a)(7)(ii)(C)"],
    rationale=(
        "Geo-redundant storage with Cross Region Restore lets backups of ePHI be restored in the paired region "
        "when the primary region is down, as disaster recovery and emergency mode operation plans require."
    ),
    remediation=(
        "az backup vault backup-properties set --name <vault> --resource-group <rg> "
        "--backup-storage-redundancy GeoRedundant --cross-region-restore-flag true "
        "(redundancy can only be changed before items are protected)"
    ),
    checks=[
        Check(f"{REDUNDANCY}.standardTierStorageRedundancy", equals("GeoRedundant")),
        # Cross Region Restore is off unless enabled.
        Check(f"{REDUNDANCY}.crossRegionRestore", equals("Enabled")),
    ],
)

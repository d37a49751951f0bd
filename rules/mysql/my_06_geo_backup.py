from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="MY-06",
    title="MySQL flexible: geo-redundant backup",
    severity="medium",
    resource_types=["Microsoft.DBforMySQL/flexibleServers"],
    citations=["164.308(a)(7)(ii)(B)"],
    rationale="Geo-redundant backups let the ePHI database be restored in the paired region after a regional outage.",
    remediation=(
        "Set at creation: az mysql flexible-server create ... --geo-redundant-backup Enabled "
        "(existing servers: restore into a new server with geo-redundant backup)"
    ),
    # Absent means locally redundant backups, the default.
    checks=[Check("properties.backup.geoRedundantBackup", equals("Enabled"))],
)

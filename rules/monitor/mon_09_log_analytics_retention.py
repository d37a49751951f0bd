from hipaa_scan.engine import SettingCheck, at_least, property_rule

RULE = property_rule(
    id="MON-09",
    title="Log Analytics retention meets policy (log_retention_days, default 365)",
    severity="medium",
    resource_types=["Microsoft.OperationalInsights/workspaces"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "Audit logs of ePHI access must be kept long enough to review incidents; HIPAA sets no log-retention "
        "period, so this rule uses the organization's log_retention_days (hipaa-scan.toml), by default the catalogue's "
        "suggested minimum of 365 days."
    ),
    remediation="az monitor log-analytics workspace update --workspace-name <ws> --resource-group <rg> --retention-time 365",
    # The service default is 30 days.
    checks=[SettingCheck("properties.retentionInDays", "log_retention_days", at_least)],
)

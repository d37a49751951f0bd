from hipaa_scan.engine import SettingCheck, Status, property_rule, version_at_least

RULE = property_rule(
    id="SQL-12",
    title="SQL minimal TLS version 1.2+ (or the policy's min_tls)",
    severity="high",
    resource_types=["Microsoft.Sql/servers"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale="Accepting TLS 1.0/1.1 lets clients send ePHI queries and results over deprecated encryption.",
    remediation="az sql server update --name <server> --resource-group <rg> --minimal-tls-version 1.2",
    # Absent or 'None' means every TLS version is accepted.
    checks=[
        SettingCheck("properties.minimalTlsVersion", "min_tls_version", version_at_least, when_missing=Status.FAIL)
    ],
)

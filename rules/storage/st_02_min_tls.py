from hipaa_scan.engine import SettingCheck, property_rule, version_at_least

RULE = property_rule(
    id="ST-02",
    title="Storage minimum TLS version 1.2+ (or the policy's min_tls)",
    severity="high",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale="TLS 1.0 and 1.1 have known weaknesses; accepting them lets clients move ePHI over deprecated encryption.",
    remediation="az storage account update --name <account> --resource-group <rg> --min-tls-version TLS1_2",
    # Absent means the account still accepts TLS 1.0 (Azure Policy treats it as non-compliant).
    checks=[SettingCheck("properties.minimumTlsVersion", "min_tls_version", version_at_least)],
)

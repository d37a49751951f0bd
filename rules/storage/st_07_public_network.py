from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="ST-07",
    title="Storage public network access disabled",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale="With public network access disabled the account's ePHI is reachable only through private endpoints.",
    remediation="az storage account update --name <account> --resource-group <rg> --public-network-access Disabled (after creating private endpoints)",
    # Absent means the public endpoint is governed only by networkAcls, i.e. enabled (Azure Policy: non-compliant).
    checks=[Check("properties.publicNetworkAccess", equals("Disabled"))],
)

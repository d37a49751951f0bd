from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="ST-06",
    title="Storage network default action Deny",
    severity="high",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale="With default action Allow the account's ePHI endpoints accept connections from any network on the Internet.",
    remediation="az storage account update --name <account> --resource-group <rg> --default-action Deny (add VNet/IP rules or a private endpoint first)",
    # Absent networkAcls means no network rules: the default action is Allow.
    checks=[Check("properties.networkAcls.defaultAction", equals("Deny"))],
)

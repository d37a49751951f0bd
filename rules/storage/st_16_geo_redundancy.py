from hipaa_scan.engine import Check, one_of, property_rule

RULE = property_rule(
    id="ST-16",
    title="Storage uses geo-redundant replication",
    severity="low",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.308(a)(7)(ii)(B)", "164.308(a)(7)(ii)(C)"],
    rationale=(
        "Geo-redundant replication keeps a copy of ePHI in a second region, so a regional outage does not "
        "stop disaster recovery or emergency-mode operation (check the paired region is approved, GOV-03)."
    ),
    remediation="az storage account update --name <account> --resource-group <rg> --sku Standard_GZRS (or Standard_GRS / Standard_RAGRS / Standard_RAGZRS)",
    # The storage account sku is top-level, not under properties; absent is unknown.
    checks=[Check("sku.name", one_of("Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"))],
)

from hipaa_scan.engine import Check, Status, equals, property_rule

RULE = property_rule(
    id="ST-03",
    title="Storage anonymous blob access disallowed",
    severity="critical",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(1)", "164.308(a)(3)(i)"],
    rationale="If anonymous blob access is allowed, one container set to public exposes ePHI to anyone with the URL.",
    remediation="az storage account update --name <account> --resource-group <rg> --allow-blob-public-access false",
    # Older accounts omit the property and allow public containers.
    checks=[Check("properties.allowBlobPublicAccess", equals(False), when_missing=Status.FAIL)],
)

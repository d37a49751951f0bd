from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Verdict,
    blob_service_settings,
    equals,
    lookup,
    not_applicable,
    rule,
)

EXPECTED = "blob service isVersioningEnabled == True"


@rule(
    id="ST-13",
    title="Blob versioning enabled",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts"],
    reads=["Microsoft.Storage/storageAccounts/blobServices"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)", "164.312(c)(2)"],
    rationale=(
        "Versioning keeps every prior version of a blob, so overwritten or corrupted ePHI can be restored "
        "and unauthorised alteration can be detected."
    ),
    remediation="az storage account blob-service-properties update --account-name <account> --resource-group <rg> --enable-versioning true",
)
def check(account: Resource, ctx: Context) -> Verdict:
    hns = lookup(account, "properties.isHnsEnabled")
    if hns.found and equals(True)(hns.value):
        reason = "blob versioning is not available with a hierarchical namespace (ADLS Gen2); see ST-11/ST-12"
        return not_applicable("properties.isHnsEnabled", hns.value, reason, EXPECTED)
    # Absent isVersioningEnabled (or a blob service absent from a complete enumeration) means off, the default.
    return blob_service_settings(
        account,
        ctx,
        [Check("properties.isVersioningEnabled", equals(True))],
    )

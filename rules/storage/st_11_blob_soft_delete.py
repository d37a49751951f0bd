from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Verdict,
    at_least,
    blob_service_settings,
    equals,
    rule,
)


@rule(
    id="ST-11",
    title="Blob soft delete enabled (>= 7 days)",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts"],
    reads=["Microsoft.Storage/storageAccounts/blobServices"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)"],
    rationale="Blob soft delete keeps deleted or overwritten ePHI recoverable, protecting its integrity and availability.",
    remediation="az storage account blob-service-properties update --account-name <account> --resource-group <rg> --enable-delete-retention true --delete-retention-days 7",
)
def check(account: Resource, ctx: Context) -> Verdict:
    # An absent deleteRetentionPolicy (or a blob service absent from a complete
    # enumeration) means soft delete is off, the service default.
    return blob_service_settings(
        account,
        ctx,
        [
            Check("properties.deleteRetentionPolicy.enabled", equals(True)),
            Check("properties.deleteRetentionPolicy.days", at_least(7)),
        ],
    )

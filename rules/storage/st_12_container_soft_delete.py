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
    id="ST-12",
    title="Container soft delete enabled",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts"],
    reads=["Microsoft.Storage/storageAccounts/blobServices"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)"],
    rationale="Container soft delete keeps a deleted container of ePHI, and every blob in it, recoverable for the retention period.",
    remediation=(
        "az storage account blob-service-properties update --account-name <account> --resource-group <rg> "
        "--enable-container-delete-retention true --container-delete-retention-days 7"
    ),
)
def check(account: Resource, ctx: Context) -> Verdict:
    # An absent containerDeleteRetentionPolicy (or blob service absent from a
    # complete enumeration) means container soft delete is off, the default.
    return blob_service_settings(
        account,
        ctx,
        [
            Check("properties.containerDeleteRetentionPolicy.enabled", equals(True)),
            Check("properties.containerDeleteRetentionPolicy.days", at_least(7)),
        ],
    )

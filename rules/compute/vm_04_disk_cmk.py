from hipaa_scan.engine import Check, non_empty, one_of, property_rule

RULE = property_rule(
    id="VM-04",
    title="Managed disks encrypted with customer-managed key (DES)",
    severity="medium",
    resource_types=["Microsoft.Compute/disks"],
    citations=["164.312(a)(2)(iv)", "164.310(d)(1)", "164.310(d)(2)(i)"],
    rationale=(
        "A customer-managed key lets the organisation control, rotate and revoke the key protecting ePHI on "
        "disks, which also supports verifiable disposal by key revocation."
    ),
    remediation=(
        "az disk update --name <disk> --resource-group <rg> --encryption-type EncryptionAtRestWithCustomerKey "
        "--disk-encryption-set <des-id> (deallocate the VM first)."
    ),
    checks=[
        # Without an encryption block the disk uses platform-managed keys.
        Check(
            "properties.encryption.type",
            one_of("EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys"),
        ),
        Check("properties.encryption.diskEncryptionSetId", non_empty()),
    ],
)

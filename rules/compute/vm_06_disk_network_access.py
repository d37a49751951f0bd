from hipaa_scan.engine import Check, equals, one_of, property_rule

RULE = property_rule(
    id="VM-06",
    title="Managed disks not exportable over public network",
    severity="medium",
    resource_types=["Microsoft.Compute/disks"],
    citations=["164.310(d)(1)", "164.312(a)(1)"],
    rationale=(
        "Anyone holding a disk's SAS export URL can download the whole disk, including ePHI, from the Internet "
        "unless export is denied or restricted to a private link."
    ),
    remediation=(
        "az disk update --name <disk> --resource-group <rg> --network-access-policy DenyAll "
        "--public-network-access Disabled (or AllowPrivate with --disk-access <disk-access-id>)"
    ),
    mode="any",
    checks=[
        # New disks default to networkAccessPolicy AllowAll and publicNetworkAccess Enabled.
        Check("properties.networkAccessPolicy", one_of("DenyAll", "AllowPrivate")),
        Check("properties.publicNetworkAccess", equals("Disabled")),
    ],
)

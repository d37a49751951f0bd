from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    approved_private_endpoint,
    combine_all,
    equals,
    judge,
    lookup,
    rule,
)


@rule(
    id="BK-06",
    title="Recovery Services vault public network access disabled / private endpoint",
    severity="low",
    resource_types=["Microsoft.RecoveryServices/vaults"],
    citations=["164.312(a)(1)"],
    rationale=(
        "With public network access disabled and an approved private endpoint, backup and restore traffic for "
        "ePHI stays on the private network and the vault cannot be reached from the Internet."
    ),
    remediation=(
        "Create a private endpoint for the vault (group AzureBackup), then az backup vault update --name <vault> "
        "--resource-group <rg> --public-network-access Disable"
    ),
)
def check(vault: Resource, _ctx: Context) -> Verdict:
    return combine_all(
        [
            # publicNetworkAccess defaults to Enabled.
            judge(lookup(vault, "properties.publicNetworkAccess"), equals("Disabled"), Status.FAIL),
            approved_private_endpoint(vault),
        ]
    )

from hipaa_scan.engine import Context, Resource, Verdict, approved_private_endpoint, rule


@rule(
    id="ST-08",
    title="Storage has an approved private endpoint",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts"],
    citations=["164.312(a)(1)", "164.312(e)(1)"],
    rationale=(
        "A private endpoint keeps ePHI traffic to the storage account on the Microsoft backbone "
        "and lets the account's public endpoint be closed."
    ),
    remediation=(
        "az network private-endpoint create --resource-group <rg> --name <pe> --vnet-name <vnet> --subnet <subnet> "
        "--private-connection-resource-id <account-id> --group-id blob --connection-name <account>-blob-pe"
    ),
)
def check(account: Resource, _ctx: Context) -> Verdict:
    # No privateEndpointConnections in the GET means none exists.
    return approved_private_endpoint(account)

from hipaa_scan.engine import Context, Resource, Verdict, approved_private_endpoint, rule


@rule(
    id="CDB-04",
    title="Cosmos DB has an approved private endpoint",
    severity="medium",
    resource_types=["Microsoft.DocumentDB/databaseAccounts"],
    citations=["164.312(a)(1)", "164.312(e)(1)"],
    rationale=(
        "A private endpoint keeps ePHI traffic to Cosmos DB on the Microsoft backbone "
        "and lets the account's public endpoint be closed (CDB-02)."
    ),
    remediation=(
        "az network private-endpoint create --resource-group <rg> --name <pe> --vnet-name <vnet> --subnet <subnet> "
        "--private-connection-resource-id <account-id> --group-id Sql --connection-name <account>-pe"
    ),
)
def check(account: Resource, _ctx: Context) -> Verdict:
    # No privateEndpointConnections in the GET means none exists.
    return approved_private_endpoint(account)

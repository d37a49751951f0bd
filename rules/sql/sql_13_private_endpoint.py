from hipaa_scan.engine import Context, Resource, Verdict, approved_private_endpoint, rule


@rule(
    id="SQL-13",
    title="SQL server has an approved private endpoint",
    severity="medium",
    resource_types=["Microsoft.Sql/servers"],
    citations=["164.312(a)(1)", "164.312(e)(1)"],
    rationale=(
        "A private endpoint keeps connections to ePHI databases on the Microsoft backbone "
        "and lets the server's public endpoint be closed (SQL-09)."
    ),
    remediation=(
        "az network private-endpoint create --resource-group <rg> --name <pe> --vnet-name <vnet> --subnet <subnet> "
        "--private-connection-resource-id <server-id> --group-id sqlServer --connection-name <server>-pe"
    ),
)
def check(server: Resource, _ctx: Context) -> Verdict:
    # No privateEndpointConnections in the GET means none exists.
    return approved_private_endpoint(server)

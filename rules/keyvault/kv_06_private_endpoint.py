from hipaa_scan.engine import Context, Resource, Verdict, approved_private_endpoint, rule


@rule(
    id="KV-06",
    title="Key Vault has an approved private endpoint",
    severity="medium",
    resource_types=["Microsoft.KeyVault/vaults"],
    citations=["164.312(a)(1)", "164.312(e)(1)"],
    rationale=(
        "A private endpoint keeps traffic to the keys and secrets protecting ePHI on the Microsoft backbone "
        "and lets the vault's public endpoint be closed."
    ),
    remediation=(
        "az network private-endpoint create --resource-group <rg> --name <pe> --vnet-name <vnet> --subnet <subnet> "
        "--private-connection-resource-id <vault-id> --group-id vault --connection-name <vault>-pe"
    ),
)
def check(vault: Resource, _ctx: Context) -> Verdict:
    # No privateEndpointConnections in the GET means none exists.
    return approved_private_endpoint(vault)

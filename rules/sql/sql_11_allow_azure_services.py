from hipaa_scan.engine import Check, Context, Resource, Status, Verdict, child_settings, not_one_of, rule


@rule(
    id="SQL-11",
    title="'Allow Azure services' (0.0.0.0-0.0.0.0) firewall rule absent",
    severity="high",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/firewallRules"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "The 0.0.0.0 'Allow Azure services' rule admits connections from any Azure tenant's resources, "
        "not only the organisation's, to databases holding ePHI."
    ),
    remediation="az sql server firewall-rule delete --server <server> --resource-group <rg> --name AllowAllWindowsAzureIps",
)
def check(server: Resource, ctx: Context) -> Verdict:
    # A rule ending at 0.0.0.0 can only be 0.0.0.0-0.0.0.0 (start <= end), so
    # every rule must have an endIpAddress other than 0.0.0.0. No rules at all
    # in a complete listing passes.
    return child_settings(
        server,
        ctx,
        "Microsoft.Sql/servers/firewallRules",
        [Check("properties.endIpAddress", not_one_of("0.0.0.0"))],
        absent=Status.PASS,
    )

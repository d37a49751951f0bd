from hipaa_scan.engine import Check, Context, Resource, Verdict, child_settings, equals, rule


@rule(
    id="SQL-01",
    title="SQL server auditing enabled",
    severity="high",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/auditingSettings"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale="Server-level auditing records database access to ePHI, which 164.312(b) requires to be examinable.",
    remediation="az sql server audit-policy update --name <server> --resource-group <rg> --state Enabled --lats Enabled --lawri <workspace-id>",
)
def check(server: Resource, ctx: Context) -> Verdict:
    return child_settings(
        server,
        ctx,
        "Microsoft.Sql/servers/auditingSettings",
        [Check("properties.state", equals("Enabled"))],
        name="default",
    )

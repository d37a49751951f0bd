from hipaa_scan.engine import Check, Context, Resource, Status, Verdict, child_settings, equals, judge, lookup, rule


@rule(
    id="SQL-07",
    title="Microsoft Entra admin configured on SQL server",
    severity="medium",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/administrators"],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "A Microsoft Entra admin lets database access to ePHI use unique, MFA-capable identities "
        "instead of shared SQL logins."
    ),
    remediation="az sql server ad-admin create --server <server> --resource-group <rg> --display-name <group> --object-id <object-id>",
)
def check(server: Resource, ctx: Context) -> Verdict:
    # The server GET carries properties.administrators only with $expand, so an
    # absent block is unknown; the administrators child decides otherwise.
    inline = judge(lookup(server, "properties.administrators.administratorType"), equals("ActiveDirectory"))
    child = child_settings(
        server,
        ctx,
        "Microsoft.Sql/servers/administrators",
        [Check("properties.administratorType", equals("ActiveDirectory"))],
        name="ActiveDirectory",
        absent=Status.FAIL,
    )
    for wanted in (Status.PASS, Status.FAIL):
        for verdict in (inline, child):
            if verdict.status is wanted:
                return verdict
    return child

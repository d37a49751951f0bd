from hipaa_scan.engine import (
    Check,
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    child_settings,
    equals,
    judge,
    lookup,
    rule,
)


@rule(
    id="SQL-08",
    title="SQL server Microsoft Entra-only authentication",
    severity="medium",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/azureADOnlyAuthentications"],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "Entra-only authentication disables SQL logins, so every connection to ePHI databases is made by a "
        "unique, MFA-capable identity that can be disabled centrally."
    ),
    remediation="az sql server ad-only-auth enable --name <server> --resource-group <rg> (after configuring an Entra admin, SQL-07)",
)
def check(server: Resource, ctx: Context) -> Verdict:
    # The server GET carries properties.administrators only with $expand (or in a template); when it is
    # there it is the same setting as the azureADOnlyAuthentications/Default child.
    inline = lookup(server, "properties.administrators.azureADOnlyAuthentication")
    if inline.presence in (Presence.FOUND, Presence.UNRESOLVED):
        return judge(inline, equals(True))
    # The Default child exists on every server; absent (or its flag absent) means off, the default.
    return child_settings(
        server,
        ctx,
        "Microsoft.Sql/servers/azureADOnlyAuthentications",
        [Check("properties.azureADOnlyAuthentication", equals(True))],
        name="Default",
        absent=Status.FAIL,
    )

from hipaa_scan.engine import Check, Context, Resource, Verdict, child_settings, equals, rule


@rule(
    id="PG-02",
    title="PostgreSQL flexible: require_secure_transport ON",
    severity="high",
    resource_types=["Microsoft.DBforPostgreSQL/flexibleServers"],
    reads=["Microsoft.DBforPostgreSQL/flexibleServers/configurations"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale="With require_secure_transport off, clients may send queries and receive ePHI over unencrypted connections.",
    remediation="az postgres flexible-server parameter set --resource-group <rg> --server-name <server> --name require_secure_transport --value on",
)
def check(server: Resource, ctx: Context) -> Verdict:
    # Server parameters are child resources named after the setting.
    return child_settings(
        server,
        ctx,
        "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
        [Check("properties.value", equals("on"))],
        name="require_secure_transport",
    )

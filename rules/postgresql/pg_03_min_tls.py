from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Verdict,
    child_settings,
    rule,
    setting_expectation,
    version_at_least,
)


@rule(
    id="PG-03",
    title="PostgreSQL flexible: minimum TLS 1.2 (or the policy's min_tls)",
    severity="medium",
    resource_types=["Microsoft.DBforPostgreSQL/flexibleServers"],
    reads=["Microsoft.DBforPostgreSQL/flexibleServers/configurations"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale="Accepting TLS 1.0/1.1 lets clients move ePHI to and from the database over deprecated encryption.",
    remediation="az postgres flexible-server parameter set --resource-group <rg> --server-name <server> --name ssl_min_protocol_version --value TLSv1.2",
)
def check(server: Resource, ctx: Context) -> Verdict:
    return child_settings(
        server,
        ctx,
        "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
        [Check("properties.value", setting_expectation("min_tls_version", version_at_least, ctx.settings))],
        name="ssl_min_protocol_version",
    )

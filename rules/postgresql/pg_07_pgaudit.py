from hipaa_scan.engine import (
    Check,
    Context,
    Expectation,
    Resource,
    Verdict,
    child_settings,
    combine_all,
    comma_list,
    rule,
)

CONFIGURATIONS = "Microsoft.DBforPostgreSQL/flexibleServers/configurations"
LOADED = Expectation("lists 'pgaudit'", lambda v: "pgaudit" in comma_list(v))
LOGS = Expectation("names at least one class other than 'none'", lambda v: comma_list(v) not in ([], ["none"]))


@rule(
    id="PG-07",
    title="PostgreSQL flexible: pgaudit enabled",
    severity="medium",
    resource_types=["Microsoft.DBforPostgreSQL/flexibleServers"],
    reads=[CONFIGURATIONS],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "pgaudit records who read or changed which tables, the session-level audit trail of access to ePHI that "
        "standard PostgreSQL logging lacks; it works only when loaded through shared_preload_libraries and with "
        "pgaudit.log naming the statement classes to record (Azure Policy 4eb5e667)."
    ),
    remediation=(
        "az postgres flexible-server parameter set --resource-group <rg> --server-name <server> --name "
        "shared_preload_libraries --value pg_cron,pg_stat_statements,pgaudit; restart the server; then "
        "... --name pgaudit.log --value 'READ,WRITE,DDL,ROLE' and CREATE EXTENSION pgaudit; in the database"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    # Server parameters are child resources named after the setting; both values are comma-separated lists.
    return combine_all(
        [
            child_settings(
                server, ctx, CONFIGURATIONS, [Check("properties.value", LOADED)], name="shared_preload_libraries"
            ),
            child_settings(server, ctx, CONFIGURATIONS, [Check("properties.value", LOGS)], name="pgaudit.log"),
        ]
    )

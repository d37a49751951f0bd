from hipaa_scan.engine import Check, Context, Resource, Verdict, child_settings, combine_all, equals, rule

CONFIGURATIONS = "Microsoft.DBforPostgreSQL/flexibleServers/configurations"
PARAMETERS = ("log_connections", "log_disconnections", "log_checkpoints")


@rule(
    id="PG-06",
    title="PostgreSQL flexible: connection/disconnection/checkpoint logging",
    severity="medium",
    resource_types=["Microsoft.DBforPostgreSQL/flexibleServers"],
    reads=[CONFIGURATIONS],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(5)(ii)(C)"],
    rationale=(
        "Connection and disconnection records show who reached a database holding ePHI, from where and for how "
        "long, which is what log-in monitoring and activity review need; checkpoint logging records the server's "
        "own activity (Azure Policy 086709ac, 1d14b021 and 70be9e12)."
    ),
    remediation=(
        "az postgres flexible-server parameter set --resource-group <rg> --server-name <server> --name "
        "log_connections --value on (and the same for log_disconnections and log_checkpoints)"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    # Server parameters are child resources named after the setting.
    return combine_all(
        [
            child_settings(server, ctx, CONFIGURATIONS, [Check("properties.value", equals("on"))], name=p)
            for p in PARAMETERS
        ]
    )

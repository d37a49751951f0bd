from hipaa_scan.engine import (
    Check,
    Context,
    Expectation,
    Resource,
    Verdict,
    child_settings,
    combine_all,
    comma_list,
    equals,
    rule,
)

CONFIGURATIONS = "Microsoft.DBforMySQL/flexibleServers/configurations"
# CONNECTION, or CONNECTION_V2 on servers that offer the newer connection event class.
CONNECTION = Expectation("contains 'CONNECTION'", lambda v: any(e.startswith("connection") for e in comma_list(v)))


@rule(
    id="MY-04",
    title="MySQL flexible: audit log enabled incl. CONNECTION events",
    severity="medium",
    resource_types=["Microsoft.DBforMySQL/flexibleServers"],
    reads=[CONFIGURATIONS],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(5)(ii)(C)"],
    rationale=(
        "The MySQL audit log records connections and statements on servers holding ePHI; without it, and "
        "without CONNECTION events, log-ins to the database (successful or failed) cannot be reviewed."
    ),
    remediation=(
        "az mysql flexible-server parameter set --resource-group <rg> --server-name <server> --name "
        "audit_log_enabled --value ON; ... --name audit_log_events --value CONNECTION,DDL,DCL,DML_NONSELECT; then "
        "send the MySqlAuditLogs category to a workspace with a diagnostic setting"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    # Server parameters are child resources named after the setting.
    return combine_all(
        [
            child_settings(
                server, ctx, CONFIGURATIONS, [Check("properties.value", equals("ON"))], name="audit_log_enabled"
            ),
            child_settings(
                server, ctx, CONFIGURATIONS, [Check("properties.value", CONNECTION)], name="audit_log_events"
            ),
        ]
    )

from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Status,
    Verdict,
    child_settings,
    contains_all,
    equals,
    lookup,
    named_children,
    not_applicable,
    rule,
)

AUDITING = "Microsoft.Sql/servers/auditingSettings"
REQUIRED = ("SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP", "FAILED_DATABASE_AUTHENTICATION_GROUP", "BATCH_COMPLETED_GROUP")
ACTIONS = contains_all(*REQUIRED)


@rule(
    id="SQL-03",
    title="SQL audit captures authentication & batch activity",
    severity="medium",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/auditingSettings"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(5)(ii)(C)"],
    rationale=(
        "Successful and failed logins and executed batches are the audit records that show who read or "
        "changed ePHI and who tried to; without them the audit trail cannot answer an access review."
    ),
    remediation=(
        "az sql server audit-policy update --name <server> --resource-group <rg> --actions "
        "SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP FAILED_DATABASE_AUTHENTICATION_GROUP BATCH_COMPLETED_GROUP"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    setting = next(iter(named_children(server, ctx.children(server, AUDITING), "default")), None)
    state = lookup(setting, "properties.state") if setting is not None else None
    if state is not None and state.found and not equals("Enabled")(state.value):
        reason = "auditing is disabled (SQL-01 reports it)"
        return not_applicable(f"{AUDITING}/default: {state.path}", state.value, reason, ACTIONS.description)
    # No auditing settings in a complete listing: auditing is not configured, which SQL-01 reports.
    return child_settings(
        server,
        ctx,
        AUDITING,
        [Check("properties.state", equals("Enabled")), Check("properties.auditActionsAndGroups", ACTIONS)],
        name="default",
        absent=Status.NOT_APPLICABLE,
    )

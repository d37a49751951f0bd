from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, activity_log_alert, rule


@rule(
    id="MON-06",
    title="Activity log alert: SQL firewall rule create/update/delete",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Insights/activityLogAlerts"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
    rationale=(
        "A new SQL server firewall rule can open databases holding ePHI to the Internet; an alert on every "
        "firewall rule change lets the security team catch it at once."
    ),
    remediation=(
        "az monitor activity-log alert create --name sql-firewall-changes --resource-group <rg> "
        "--scope /subscriptions/<sub> --action-group <action-group-id> --condition "
        "category=Administrative and operationName=Microsoft.Sql/servers/firewallRules/write "
        "(and another for .../firewallRules/delete)"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return activity_log_alert(
        subscription,
        ctx,
        operations=["Microsoft.Sql/servers/firewallRules/write", "Microsoft.Sql/servers/firewallRules/delete"],
    )

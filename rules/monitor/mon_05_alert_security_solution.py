from hipaa_scan.engine import (
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Verdict,
    activity_log_alert,
    rule,
)


@rule(
    id="MON-05",
    title="Activity log alert: security solution create/update/delete",
    severity="low",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Insights/activityLogAlerts"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
    rationale=(
        "Removing or reconfiguring a security solution (endpoint protection, WAF, vulnerability scanner) "
        "weakens the protection of ePHI systems; an alert brings every such change to the security team."
    ),
    remediation=(
        "az monitor activity-log alert create --name security-solution-changes --resource-group <rg> "
        "--scope /subscriptions/<sub> --action-group <action-group-id> --condition "
        "category=Administrative and operationName=Microsoft.Security/securitySolutions/write "
        "(and another for .../securitySolutions/delete)"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return activity_log_alert(
        subscription,
        ctx,
        categories=("Administrative", "Security"),
        operations=["Microsoft.Security/securitySolutions/write", "Microsoft.Security/securitySolutions/delete"],
    )

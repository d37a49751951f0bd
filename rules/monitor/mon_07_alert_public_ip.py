from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, activity_log_alert, rule


@rule(
    id="MON-07",
    title="Activity log alert: public IP create/update/delete",
    severity="low",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Insights/activityLogAlerts"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "A new public IP address is a new path from the Internet into the estate that holds ePHI; an alert on "
        "public IP changes lets the team check each one was intended."
    ),
    remediation=(
        "az monitor activity-log alert create --name public-ip-changes --resource-group <rg> "
        "--scope /subscriptions/<sub> --action-group <action-group-id> --condition "
        "category=Administrative and operationName=Microsoft.Network/publicIPAddresses/write "
        "(and another for .../publicIPAddresses/delete)"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return activity_log_alert(
        subscription,
        ctx,
        operations=["Microsoft.Network/publicIPAddresses/write", "Microsoft.Network/publicIPAddresses/delete"],
    )

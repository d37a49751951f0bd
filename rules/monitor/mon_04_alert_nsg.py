from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, activity_log_alert, rule


@rule(
    id="MON-04",
    title="Activity log alert: NSG create/update/delete",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Insights/activityLogAlerts"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
    rationale=(
        "A changed or deleted network security group can expose systems holding ePHI to new networks; an alert "
        "lets the security team catch an unauthorised change as it happens."
    ),
    remediation=(
        "az monitor activity-log alert create --name nsg-changes --resource-group <rg> --scope /subscriptions/<sub> "
        "--action-group <action-group-id> --condition "
        "category=Administrative and operationName=Microsoft.Network/networkSecurityGroups/write "
        "(and another for .../networkSecurityGroups/delete)"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return activity_log_alert(
        subscription,
        ctx,
        operations=["Microsoft.Network/networkSecurityGroups/write", "Microsoft.Network/networkSecurityGroups/delete"],
    )

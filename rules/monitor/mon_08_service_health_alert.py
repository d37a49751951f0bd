from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, activity_log_alert, rule


@rule(
    id="MON-08",
    title="Service Health alert configured",
    severity="low",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Insights/activityLogAlerts"],
    citations=["164.308(a)(7)(ii)(C)", "164.308(a)(6)(ii)"],
    rationale=(
        "Service Health alerts tell the team about Azure outages and planned maintenance affecting systems "
        "that hold ePHI, so emergency-mode and contingency procedures start on time."
    ),
    remediation=(
        "az monitor activity-log alert create --name service-health --resource-group <rg> "
        "--scope /subscriptions/<sub> --action-group <action-group-id> --condition category=ServiceHealth"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return activity_log_alert(subscription, ctx, categories=["ServiceHealth"])

from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, activity_log_alert, rule


@rule(
    id="MON-03",
    title="Activity log alert: policy assignment create/delete",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Insights/activityLogAlerts"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
    rationale=(
        "Creating or deleting a policy assignment can silently remove guardrails (allowed regions, encryption, "
        "logging) around ePHI; an alert makes the security team review each change."
    ),
    remediation=(
        "az monitor activity-log alert create --name policy-assignment-changes --resource-group <rg> "
        "--scope /subscriptions/<sub> --action-group <action-group-id> --condition "
        "category=Administrative and operationName=Microsoft.Authorization/policyAssignments/write "
        "(and a second alert, or an anyOf condition, for .../policyAssignments/delete)"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return activity_log_alert(
        subscription,
        ctx,
        operations=[
            "Microsoft.Authorization/policyAssignments/write",
            "Microsoft.Authorization/policyAssignments/delete",
        ],
    )

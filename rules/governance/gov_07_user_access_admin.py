from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Status, Verdict, lookup, rule, unknown

ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c4a72ab9"
PATH = f"{ASSIGNMENTS}[].properties.roleDefinitionId"
EXPECTED = f"no role assignment at the subscription scope for User Access Administrator ({USER_ACCESS_ADMINISTRATOR})"


@rule(
    id="GOV-07",
    title="No standing User Access Administrator assignments",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Authorization/roleAssignments"],
    citations=["164.308(a)(4)(ii)(B)", "164.308(a)(4)(ii)(C)"],
    rationale=(
        "User Access Administrator can grant any role, including access to every ePHI store in the "
        "subscription; it should be held only just-in-time through PIM, never as a standing assignment."
    ),
    remediation=(
        "az role assignment delete --assignee <principal> --role 'User Access Administrator' "
        "--scope /subscriptions/<sub>, and make the role PIM-eligible for those who need it."
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    # Assignments made at the subscription scope are extension resources of the subscription.
    related = ctx.extensions(subscription, ASSIGNMENTS)
    role_ids = [lookup(a, "properties.roleDefinitionId") for a in related.items]
    standing = [
        a.name
        for a, role_id in zip(related.items, role_ids, strict=True)
        if isinstance(role_id.value, str) and role_id.value.lower().rstrip("/").endswith(USER_ACCESS_ADMINISTRATOR)
    ]
    if standing:
        return Verdict(Status.FAIL, PATH, sorted(standing), EXPECTED, "standing User Access Administrator assignment")
    # Proving absence needs every assignment, each with a readable role.
    if related.complete and all(r.found for r in role_ids):
        return Verdict(Status.PASS, PATH, [], EXPECTED)
    return unknown(PATH, "role assignments for this subscription were not fully collected", EXPECTED)

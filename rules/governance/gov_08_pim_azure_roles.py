from hipaa_scan.engine import (
    NO_BREAK_GLASS,
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Status,
    Verdict,
    break_glass,
    lookup,
    rule,
    tenant_of,
    unknown,
)
from hipaa_scan.entra import TENANT_TYPE

INSTANCES = "Microsoft.Authorization/roleAssignmentScheduleInstances"
PRIVILEGED = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c4a72ab9": "User Access Administrator",
}
PATH = f"{INSTANCES}[].properties.assignmentType, endDateTime"
EXPECTED = (
    "no Owner, Contributor or User Access Administrator assignment at the subscription scope with assignmentType "
    "'Assigned' and no endDateTime, except for break-glass accounts (others eligible or time-bound)"
)


def _role(role_id: object) -> str | None:
    if not isinstance(role_id, str):
        return None
    return PRIVILEGED.get(role_id.lower().rstrip("/").rsplit("/", 1)[-1])


@rule(
    id="GOV-08",
    title="Azure resource PIM: privileged Azure roles are eligible, not permanent",
    severity="high",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[INSTANCES, TENANT_TYPE],
    citations=["164.308(a)(3)(ii)(A)", "164.308(a)(4)(ii)(C)"],
    rationale=(
        "A standing Owner, Contributor or User Access Administrator on a subscription holding ePHI is "
        "unsupervised access around the clock; eligible assignments activated through PIM (approval, MFA, "
        "justification, time limit) keep that access authorized and reviewable."
    ),
    remediation=(
        "Azure portal > Privileged Identity Management > Azure resources > <subscription> > Assignments > Active "
        "assignments: 'Update' each listed assignment to Eligible (or give it an end date); or "
        "az rest --method put --url https://management.azure.com/subscriptions/<sub>/providers/"
        "Microsoft.Authorization/roleEligibilityScheduleRequests/<guid>?api-version=2020-10-01 with requestType "
        "AdminAssign, then remove the active assignment (az role assignment delete)."
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    related = ctx.extensions(subscription, INSTANCES)
    scope = f"/subscriptions/{subscription.subscription_id}"
    standing: set[str] = set()
    roles: dict[str, set[str]] = {}
    readable = True
    for instance in related.items:
        kind, principal = lookup(instance, "properties.assignmentType"), lookup(instance, "properties.principalId")
        at = lookup(instance, "properties.scope")
        role = _role(lookup(instance, "properties.roleDefinitionId").value)
        if not isinstance(kind.value, str) or not isinstance(principal.value, str) or not isinstance(at.value, str):
            readable = False
            continue
        if role is None or at.value.lower().rstrip("/") != scope:
            continue
        if kind.value.lower() == "assigned" and not lookup(instance, "properties.endDateTime").found:
            standing.add(principal.value.lower())
            roles.setdefault(principal.value.lower(), set()).add(role)
    accounts = break_glass(ctx.settings, tenant_of(subscription, ctx))
    offending = sorted(p for p in standing if not accounts.holds(p))
    observed = {p: sorted(roles[p]) for p in offending}
    if offending and accounts and not accounts.unresolved:
        return Verdict(Status.FAIL, PATH, observed, EXPECTED, "permanent privileged Azure role assignments")
    if offending:
        why = NO_BREAK_GLASS if not accounts else f"break-glass UPNs {list(accounts.unresolved)} not resolved"
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, f"permanent privileged assignments; {why}")
    if not related.complete or not readable:
        return unknown(
            PATH, "role assignment schedule instances for this subscription were not fully collected", EXPECTED
        )
    return Verdict(Status.PASS, PATH, {}, EXPECTED)

from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Status,
    Verdict,
    graph_list,
    lookup,
    rule,
    tenant_of,
    unknown,
)
from hipaa_scan.entra import TENANT_TYPE, USERS

ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
PATH = f"{ASSIGNMENTS}[].properties.principalId -> graph.{USERS}[].userType, accountEnabled"
EXPECTED = "no Owner assignment in the subscription whose principal is a guest (userType 'Guest') or a disabled account"


def _owner_principals(assignments: list[Resource]) -> tuple[dict[str, str], bool]:
    """Owner principal id -> principalType ('' when absent), and whether every assignment was readable."""
    owners: dict[str, str] = {}
    readable = True
    for assignment in assignments:
        role, principal = (
            lookup(assignment, "properties.roleDefinitionId"),
            lookup(assignment, "properties.principalId"),
        )
        if not isinstance(role.value, str) or not isinstance(principal.value, str):
            readable = False
            continue
        if role.value.lower().rstrip("/").endswith(OWNER):
            kind = lookup(assignment, "properties.principalType").value
            owners[principal.value.lower()] = kind.lower() if isinstance(kind, str) else ""
    return owners, readable


def _is_guest(user: Mapping[str, Any]) -> bool | None:
    kind = user.get("userType")
    upn = str(user.get("userPrincipalName") or "").lower()
    if isinstance(kind, str):
        return kind.lower() == "guest" or "#ext#" in upn
    return True if "#ext#" in upn else None


@rule(
    id="GOV-06",
    title="No guest or disabled accounts hold Owner",
    severity="high",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[ASSIGNMENTS, TENANT_TYPE, "Microsoft.Graph/users"],
    citations=["164.308(a)(3)(ii)(C)", "164.308(a)(4)(ii)(B)"],
    rationale=(
        "Owner can read, change and grant access to every ePHI store in the subscription. Guests are outside the "
        "workforce clearance and termination process, and a disabled account holding Owner is access that "
        "termination should already have removed (Azure Policy 339353f6 and 0cfea604 in the HIPAA initiative)."
    ),
    remediation=(
        "az role assignment list --role Owner --scope /subscriptions/<sub> --include-inherited -o table; then "
        "az role assignment delete --assignee <principal id> --role Owner --scope <scope> for each guest or "
        "disabled account (grant a member account just-in-time through PIM instead)."
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    sub = subscription.subscription_id
    # Assignments on the subscription itself and on its resource groups and resources.
    assignments = [a for a in ctx.of_type(ASSIGNMENTS) if a.subscription_id == sub]
    complete = ctx.is_complete(ASSIGNMENTS, sub)
    owners, readable = _owner_principals(assignments)
    users_by_id: dict[str, Mapping[str, Any]] | None = None
    missing_users = ""
    tenant = tenant_of(subscription, ctx)
    if tenant is None:
        missing_users = "the subscription's Entra tenant is not in the input"
    else:
        users = graph_list(tenant, USERS, EXPECTED)
        if isinstance(users, Verdict):
            missing_users = users.message
        else:
            users_by_id = {str(u.get("id", "")).lower(): u for u in users}
    offending: list[str] = []
    unresolved: list[str] = []
    for principal, kind in sorted(owners.items()):
        if kind == "serviceprincipal":
            continue  # applications and managed identities are not guest or user accounts
        if kind in ("group", "foreigngroup"):
            unresolved.append(f"{principal} (group; membership not collected)")
            continue
        user = users_by_id.get(principal) if users_by_id is not None else None
        if user is None:
            unresolved.append(principal)
            continue
        guest = _is_guest(user)
        if guest or user.get("accountEnabled") is False:
            offending.append(principal)
        elif guest is None or user.get("accountEnabled") is not True:
            unresolved.append(f"{principal} (userType or accountEnabled not collected)")
    if offending:
        return Verdict(Status.FAIL, PATH, offending, EXPECTED, "guest or disabled accounts hold Owner")
    if unresolved:
        reason = f"Owner principals not resolved: {unresolved}" + (f"; {missing_users}" if missing_users else "")
        return Verdict(Status.UNKNOWN, PATH, unresolved, EXPECTED, reason)
    if not complete or not readable:
        return unknown(PATH, "role assignments for this subscription were not fully collected", EXPECTED)
    return Verdict(Status.PASS, PATH, [], EXPECTED, f"{len(owners)} Owner principal(s); no guest or disabled user")

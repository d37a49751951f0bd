from hipaa_scan.engine import NO_BREAK_GLASS, Context, Resource, Status, Verdict, break_glass, graph_list, rule
from hipaa_scan.entra import PRIVILEGED_DIRECTORY_ROLES, ROLE_ASSIGNMENT_SCHEDULE_INSTANCES, TENANT_TYPE

PATH = f"graph.{ROLE_ASSIGNMENT_SCHEDULE_INSTANCES}[]"
EXPECTED = (
    "no active privileged directory role assignment with assignmentType 'Assigned' and no endDateTime, "
    "except for the break-glass accounts (others eligible through PIM)"
)


@rule(
    id="ID-09",
    title="Directory PIM: no permanent active privileged role assignments",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/roleAssignmentScheduleInstances", "Microsoft.Graph/users"],
    citations=["164.308(a)(3)(ii)(A)", "164.308(a)(4)(ii)(C)"],
    rationale=(
        "A permanently active Global or Privileged Role Administrator is a standing key to every system holding "
        "ePHI; eligible assignments activated just in time (with approval, MFA and a justification) keep "
        "privileged access supervised and time-bound. Only the emergency-access accounts stay permanent."
    ),
    remediation=(
        "Entra admin center > Identity governance > Privileged Identity Management > Microsoft Entra roles > "
        "Assignments > Active assignments: for each listed principal choose 'Update' and convert the assignment "
        "to Eligible (or set an end date), keeping permanent active assignments only for the break-glass accounts."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    instances = graph_list(tenant, ROLE_ASSIGNMENT_SCHEDULE_INSTANCES, EXPECTED)
    if isinstance(instances, Verdict):
        return instances
    permanent: set[str] = set()
    for item in instances:
        role, kind, principal = item.get("roleDefinitionId"), item.get("assignmentType"), item.get("principalId")
        if not isinstance(role, str) or role.lower() not in PRIVILEGED_DIRECTORY_ROLES:
            continue
        if str(kind).lower() == "assigned" and not item.get("endDateTime") and isinstance(principal, str):
            permanent.add(principal.lower())
    accounts = break_glass(ctx.settings, tenant)
    standing = sorted(p for p in permanent if not accounts.holds(p))
    if not standing:
        note = f"{len(permanent)} permanent assignment(s), all break-glass accounts" if permanent else ""
        return Verdict(Status.PASS, PATH, [], EXPECTED, note)
    if not accounts:
        return Verdict(Status.UNKNOWN, PATH, standing, EXPECTED, f"permanent privileged assignments; {NO_BREAK_GLASS}")
    if accounts.unresolved:
        return Verdict(
            Status.UNKNOWN,
            PATH,
            standing,
            EXPECTED,
            f"break-glass UPNs {list(accounts.unresolved)} could not be resolved to object ids",
        )
    return Verdict(
        Status.FAIL, PATH, standing, EXPECTED, f"{len(standing)} principal(s) hold a privileged role permanently"
    )

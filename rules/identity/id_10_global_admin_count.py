from hipaa_scan.engine import Context, Resource, Status, Verdict, graph_list, rule, unknown
from hipaa_scan.entra import (
    GLOBAL_ADMINISTRATOR,
    ROLE_ASSIGNMENT_SCHEDULE_INSTANCES,
    ROLE_ASSIGNMENTS,
    TENANT_TYPE,
    missing_message,
)

PATH = f"graph.{ROLE_ASSIGNMENTS}[] | graph.{ROLE_ASSIGNMENT_SCHEDULE_INSTANCES}[]"
EXPECTED = f"2 <= number of principals with an active Global Administrator ({GLOBAL_ADMINISTRATOR}) assignment < 5"


@rule(
    id="ID-10",
    title="Global Administrators: at least 2, fewer than 5",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/roleAssignmentScheduleInstances", "Microsoft.Graph/roleAssignments"],
    citations=["164.308(a)(3)(ii)(B)", "164.308(a)(4)(ii)(B)"],
    rationale=(
        "Every Global Administrator can read and change everything in the tenant, so their number must stay "
        "small and reviewable; fewer than two leaves no one to recover the tenant if one account is lost."
    ),
    remediation=(
        "Entra admin center > Roles & admins > Global Administrator > Assignments: remove (or make PIM-eligible) "
        "the assignments that exceed four, moving those people to least-privileged roles; or add a second "
        "Global Administrator (a break-glass account) when only one exists."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    datasets = (ROLE_ASSIGNMENTS, ROLE_ASSIGNMENT_SCHEDULE_INSTANCES)
    if not tenant.properties_collected:
        gaps = "; ".join(missing_message(d) for d in datasets)
        return unknown(PATH, f"no Microsoft Graph data in the input; {gaps}", EXPECTED)
    holders: set[str] = set()
    missing: list[str] = []
    for dataset in datasets:
        items = graph_list(tenant, dataset, EXPECTED)
        if isinstance(items, Verdict):
            missing.append(items.message)
            continue
        for item in items:
            role, principal = item.get("roleDefinitionId"), item.get("principalId")
            if isinstance(role, str) and role.lower() == GLOBAL_ADMINISTRATOR and isinstance(principal, str):
                holders.add(principal.lower())
    if len(missing) == 2:
        return unknown(PATH, "; ".join(missing), EXPECTED)
    count = len(holders)
    status = Status.PASS if 2 <= count < 5 else Status.FAIL
    return Verdict(status, PATH, sorted(holders), EXPECTED, f"{count} Global Administrator(s)")

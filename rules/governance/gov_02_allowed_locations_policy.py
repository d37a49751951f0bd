from hipaa_scan.engine import (
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Status,
    Verdict,
    combine_any,
    equals,
    judge,
    lookup,
    rule,
    unknown,
)

ASSIGNMENTS = "Microsoft.Authorization/policyAssignments"
ALLOWED_LOCATIONS = "e56962a6-4747-49cd-b67b-bf8b01975c4c"
PATH = f"{ASSIGNMENTS}[].properties.policyDefinitionId"
EXPECTED = f"an assignment of built-in policy {ALLOWED_LOCATIONS} ('Allowed locations') with enforcementMode 'Default'"


def _assigns_allowed_locations(assignment: Resource) -> bool:
    definition = lookup(assignment, "properties.policyDefinitionId")
    return isinstance(definition.value, str) and definition.value.lower().endswith(f"/{ALLOWED_LOCATIONS}")


@rule(
    id="GOV-02",
    title="'Allowed locations' policy assigned (deny) for PHI subscriptions",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Authorization/policyAssignments"],
    citations=["164.308(a)(1)(ii)(B)"],
    rationale=(
        "An enforced 'Allowed locations' policy stops resources holding ePHI from being created outside the "
        "regions the risk analysis and BAA scope cover."
    ),
    remediation=(
        "az policy assignment create --name allowed-locations --scope /subscriptions/<sub> --policy "
        'e56962a6-4747-49cd-b67b-bf8b01975c4c --params \'{"listOfAllowedLocations":{"value":["eastus","eastus2"]}}\' '
        "(and e765b5de-1225-4ba3-bd56-1ac6695af988 for resource groups)"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    related = ctx.extensions(subscription, ASSIGNMENTS)
    mine = [a for a in related.items if _assigns_allowed_locations(a)]
    if mine:
        # enforcementMode DoNotEnforce only audits; the API always returns the mode.
        verdict = combine_any([judge(lookup(a, "properties.enforcementMode"), equals("Default")) for a in mine])
        return Verdict(verdict.status, PATH, sorted(a.name for a in mine), EXPECTED, verdict.message)
    # Management-group assignments are inherited, but the input does not say which groups hold this subscription.
    inherited = [
        a.name for a in ctx.of_type(ASSIGNMENTS) if a.subscription_id is None and _assigns_allowed_locations(a)
    ]
    if inherited:
        return Verdict(
            Status.UNKNOWN, PATH, inherited, EXPECTED, "assigned above the subscription; inheritance unknown"
        )
    if related.complete and all(lookup(a, "properties.policyDefinitionId").found for a in related.items):
        return Verdict(Status.FAIL, PATH, sorted(a.name for a in related.items), EXPECTED, "no such assignment")
    return unknown(PATH, "policy assignments for this subscription were not fully collected", EXPECTED)

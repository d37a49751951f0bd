from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Status, Verdict, lookup, rule, unknown

ASSIGNMENTS = "Microsoft.Authorization/policyAssignments"
STANDARDS = "Microsoft.Security/regulatoryComplianceStandards"
HIPAA_HITRUST = "a169a624-5599-4385-a696-c8d643089fab"
PATH = f"{ASSIGNMENTS}[].properties.policyDefinitionId & {STANDARDS}[].properties.state"
EXPECTED = (
    f"an assignment of the built-in 'HITRUST/HIPAA' initiative ({HIPAA_HITRUST}) to the subscription or a management "
    "group above it, AND a HIPAA standard in Defender for Cloud regulatory compliance with state other than "
    "'Unsupported'"
)


def _assigns_hipaa(assignment: Resource) -> bool:
    definition = lookup(assignment, "properties.policyDefinitionId").value
    return isinstance(definition, str) and definition.lower().rstrip("/").endswith(
        f"/policysetdefinitions/{HIPAA_HITRUST}"
    )


@rule(
    id="DEF-15",
    title="HIPAA HITRUST regulatory standard assigned in Defender for Cloud",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[ASSIGNMENTS, STANDARDS],
    citations=["164.308(a)(8)", "164.308(a)(1)(ii)(A)"],
    rationale=(
        "Assigning the built-in HITRUST/HIPAA initiative makes Azure Policy and Defender for Cloud evaluate the "
        "subscription against HIPAA-mapped controls continuously, which supports the periodic technical "
        "evaluation and the risk analysis. The standard is matched by a name containing 'HIPAA' (Defender "
        "shows it as e.g. 'HIPAA-HITRUST-9.2'); enforcementMode does not matter, since the initiative audits."
    ),
    remediation=(
        "Defender for Cloud > Regulatory compliance > Manage compliance standards > <subscription> > Security "
        "policies: enable 'HITRUST/HIPAA'; or az policy assignment create --name hipaa-hitrust --scope "
        f"/subscriptions/<sub> --policy-set-definition {HIPAA_HITRUST} --mi-system-assigned --location <region>"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    assignments = ctx.extensions(subscription, ASSIGNMENTS)
    direct = sorted(a.name for a in assignments.items if _assigns_hipaa(a))
    # Management-group assignments are in the input without saying which groups hold this subscription.
    inherited = sorted(a.name for a in ctx.of_type(ASSIGNMENTS) if a.subscription_id is None and _assigns_hipaa(a))
    standards = ctx.extensions(subscription, STANDARDS)
    hipaa = {s.name: lookup(s, "properties.state").value for s in standards.items if "hipaa" in s.name.lower()}
    supported = {
        name: state for name, state in hipaa.items() if isinstance(state, str) and state.lower() != "unsupported"
    }
    observed = {"assignments": direct or inherited, "standards": hipaa}
    if hipaa and not supported and all(isinstance(s, str) for s in hipaa.values()):
        return Verdict(
            Status.FAIL, PATH, observed, EXPECTED, "the HIPAA standard is 'Unsupported' in this subscription"
        )
    if supported and (direct or inherited):
        return Verdict(Status.PASS, PATH, observed, EXPECTED)
    no_assignment = (
        not direct
        and not inherited
        and assignments.complete
        and all(lookup(a, "properties.policyDefinitionId").found for a in assignments.items)
    )
    if no_assignment:
        return Verdict(Status.FAIL, PATH, observed, EXPECTED, "the HITRUST/HIPAA initiative is not assigned")
    if not hipaa and standards.complete:
        return Verdict(
            Status.FAIL, PATH, observed, EXPECTED, "no HIPAA standard in Defender for Cloud regulatory compliance"
        )
    if supported:
        return Verdict(
            Status.UNKNOWN, PATH, observed, EXPECTED, "the standard is shown, but no assignment was in the input"
        )
    if direct or inherited:
        reason = "regulatory compliance standards for this subscription were not in the input"
        if hipaa:
            reason = "the HIPAA standard's state was not in the input"
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, reason)
    return unknown(
        PATH, "policy assignments and compliance standards for this subscription were not in the input", EXPECTED
    )

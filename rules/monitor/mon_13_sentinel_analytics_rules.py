from hipaa_scan.engine import Context, Resource, Status, Verdict, equals, lookup, not_applicable, rule, unknown

ONBOARDING = "Microsoft.SecurityInsights/onboardingStates"
ALERT_RULES = "Microsoft.SecurityInsights/alertRules"
RECOMMENDED = ("Fusion", "MicrosoftSecurityIncidentCreation", "Scheduled")
PATH = f"{ALERT_RULES}[].properties.enabled"
EXPECTED = (
    "at least one enabled Sentinel analytics rule (Fusion, Microsoft incident creation and scheduled rules recommended)"
)


@rule(
    id="MON-13",
    title="Sentinel analytics rules enabled",
    severity="medium",
    resource_types=["Microsoft.OperationalInsights/workspaces"],
    reads=[ONBOARDING, ALERT_RULES],
    citations=["164.308(a)(6)(ii)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "Sentinel raises incidents only through analytics rules; a workspace that collects logs without an "
        "enabled rule identifies no security incident for the response procedure. Fusion (multistage attacks), "
        "Microsoft security incident creation (Defender alerts) and scheduled rules are recommended and reported "
        "when missing. Workspaces without Sentinel are not applicable."
    ),
    remediation=(
        "Microsoft Sentinel > Analytics > Rule templates: enable 'Advanced Multistage Attack Detection' (Fusion), "
        "'Create incidents based on Microsoft Defender for Cloud alerts' and the scheduled rules of the installed "
        "Content Hub solutions."
    ),
)
def check(workspace: Resource, ctx: Context) -> Verdict:
    rules = ctx.extensions(workspace, ALERT_RULES)
    onboarding = ctx.extensions(workspace, ONBOARDING)
    if not onboarding.items and not rules.items:
        if onboarding.complete:
            return not_applicable(ONBOARDING, None, "Microsoft Sentinel is not enabled on this workspace", EXPECTED)
        return unknown(PATH, "Sentinel onboarding state and analytics rules were not in the input", EXPECTED)
    if not rules.known:
        return unknown(PATH, "Sentinel analytics rules for this workspace were not in the input", EXPECTED)
    enabled = [r for r in rules.items if equals(True)(lookup(r, "properties.enabled").value)]
    kinds = {str(r.raw.get("kind", "")).lower() for r in enabled}
    observed = {"enabled": len(enabled), "total": len(rules.items)}
    if enabled:
        missing = [k for k in RECOMMENDED if k.lower() not in kinds]
        return Verdict(
            Status.PASS, PATH, observed, EXPECTED, f"recommended but not enabled: {missing}" if missing else ""
        )
    if any(not lookup(r, "properties.enabled").found for r in rules.items):
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, "some rules' enabled state was not in the input")
    if not rules.complete:
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, "analytics rules were not fully collected")
    return Verdict(Status.FAIL, PATH, observed, EXPECTED, "no analytics rule is enabled")

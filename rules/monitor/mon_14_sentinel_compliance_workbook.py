import re

from hipaa_scan.engine import Context, Resource, Status, Verdict, equals, lookup, not_applicable, rule, unknown

ONBOARDING = "Microsoft.SecurityInsights/onboardingStates"
WORKBOOKS = "Microsoft.Insights/workbooks"
PATH = f"{WORKBOOKS}[].properties.category & sourceId & displayName"
EXPECTED = "a Sentinel workbook of this workspace named after sentinel_workbook_pattern"


def _names(workspace: Resource, workbooks: tuple[Resource, ...]) -> list[str]:
    """Display names of this workspace's Sentinel workbooks."""
    out: list[str] = []
    for book in workbooks:
        source = lookup(book, "properties.sourceId").value
        if not isinstance(source, str) or source.lower().rstrip("/") != workspace.key.rstrip("/"):
            continue
        if equals("sentinel")(lookup(book, "properties.category").value):
            name = lookup(book, "properties.displayName").value
            out.append(name if isinstance(name, str) else book.name)
    return sorted(out)


@rule(
    id="MON-14",
    title="Sentinel compliance workbook deployed",
    severity="low",
    resource_types=["Microsoft.OperationalInsights/workspaces"],
    reads=[ONBOARDING, WORKBOOKS],
    citations=["164.308(a)(1)(ii)(D)", "164.308(a)(8)"],
    rationale=(
        "A saved compliance workbook on the Sentinel workspace gives the information system activity review and "
        "the periodic evaluation a repeatable view of audit data. Microsoft publishes no HIPAA-specific Sentinel "
        "workbook, so a Sentinel workbook of the workspace whose display name matches sentinel_workbook_pattern "
        "(organization policy, a case-insensitive regular expression, default 'hipaa') counts; anything else "
        "needs attestation. Workspaces without Sentinel are not applicable."
    ),
    remediation=(
        "Microsoft Sentinel > Workbooks > Templates: save a compliance workbook (or Content hub > install a "
        "compliance solution and save its workbook) and name it e.g. 'HIPAA compliance - <workspace>'."
    ),
)
def check(workspace: Resource, ctx: Context) -> Verdict:
    onboarding = ctx.extensions(workspace, ONBOARDING)
    if not onboarding.items:
        if onboarding.complete:
            return not_applicable(ONBOARDING, None, "Microsoft Sentinel is not enabled on this workspace", EXPECTED)
        return unknown(ONBOARDING, "the workspace's Sentinel onboarding state was not in the input", EXPECTED)
    pattern = ctx.settings.sentinel_workbook_pattern
    expected = f"a workbook with category 'sentinel', sourceId this workspace and a displayName matching /{pattern}/i"
    try:
        name = re.compile(pattern, re.IGNORECASE)
    except re.error:
        return unknown(PATH, f"sentinel_workbook_pattern {pattern!r} is not a valid regular expression", expected)
    names = _names(workspace, ctx.of_type(WORKBOOKS))
    matching = [n for n in names if name.search(n)]
    if matching:
        return Verdict(Status.PASS, PATH, matching, expected)
    if not ctx.is_complete(WORKBOOKS, workspace.subscription_id):
        reason = "workbooks for this subscription were not fully collected"
        return Verdict(Status.UNKNOWN, PATH, names, expected, reason)
    return Verdict(Status.FAIL, PATH, names, expected, "no Sentinel compliance workbook for this workspace")

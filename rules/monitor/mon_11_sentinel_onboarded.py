from collections.abc import Mapping

from hipaa_scan.engine import (
    DIAGNOSTIC_SETTINGS,
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Status,
    Verdict,
    exported_logs,
    rule,
    unknown,
)

WORKSPACES = "Microsoft.OperationalInsights/workspaces"
ONBOARDING = "Microsoft.SecurityInsights/onboardingStates"
PATH = f"{DIAGNOSTIC_SETTINGS}[].properties.workspaceId -> {ONBOARDING}/default"
EXPECTED = "a Log Analytics workspace receiving the subscription's Activity Log has Microsoft Sentinel onboarded"


def _activity_workspaces(subscription: Resource, ctx: Context) -> list[str] | None:
    """Workspaces the subscription's Activity Log goes to; None when its settings are not in the input."""
    related = ctx.extensions(subscription, DIAGNOSTIC_SETTINGS)
    if not related.known:
        return None
    out: list[str] = []
    for setting in related.items:
        props = setting.raw.get("properties")
        workspace = props.get("workspaceId") if isinstance(props, Mapping) else None
        if isinstance(workspace, str) and workspace and exported_logs(setting):
            out.append(workspace.lower().rstrip("/"))
    return sorted(set(out))


def _onboarded(workspace_id: str, ctx: Context) -> bool | None:
    """Whether Sentinel is onboarded on the workspace; None when the input cannot tell."""
    workspace = ctx.get(workspace_id)
    if workspace is None:
        return None
    related = ctx.extensions(workspace, ONBOARDING)
    if any(state.name.lower() == "default" for state in related.items):
        return True
    return False if related.complete else None


@rule(
    id="MON-11",
    title="Microsoft Sentinel onboarded on the security workspace",
    severity="high",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=[DIAGNOSTIC_SETTINGS, WORKSPACES, ONBOARDING],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)", "164.308(a)(5)(ii)(C)"],
    rationale=(
        "Sentinel turns the logs of systems holding ePHI into detections and incidents the security team "
        "reviews. Without an organisation setting naming the security workspace, the rule takes the workspaces "
        "the subscription's Activity Log is sent to (which is also how Sentinel's Azure Activity connector "
        "collects it) and asks that one of them has Sentinel onboarded."
    ),
    remediation=(
        "az sentinel onboarding-state create --resource-group <rg> --workspace-name <workspace> --name default; "
        "send the Activity Log to that workspace (az monitor diagnostic-settings subscription create ...)."
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    workspaces = _activity_workspaces(subscription, ctx)
    if workspaces is None:
        return unknown(PATH, "subscription diagnostic settings were not in the input", EXPECTED)
    if not workspaces:
        return Verdict(Status.FAIL, PATH, [], EXPECTED, "the Activity Log is sent to no Log Analytics workspace")
    states = {w.rsplit("/", 1)[-1]: _onboarded(w, ctx) for w in workspaces}
    if any(states.values()):
        return Verdict(Status.PASS, PATH, sorted(w for w, on in states.items() if on), EXPECTED)
    unclear = sorted(w for w, on in states.items() if on is None)
    if unclear:
        return Verdict(
            Status.UNKNOWN,
            PATH,
            unclear,
            EXPECTED,
            "the workspaces or their Sentinel onboarding state were not in the input",
        )
    return Verdict(
        Status.FAIL, PATH, sorted(states), EXPECTED, "Sentinel is not onboarded on the Activity Log workspaces"
    )

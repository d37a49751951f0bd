from collections.abc import Mapping

from hipaa_scan.engine import Context, Resource, Status, Verdict, lookup, not_applicable, rule, unknown

ONBOARDING = "Microsoft.SecurityInsights/onboardingStates"
CONNECTORS = "Microsoft.SecurityInsights/dataConnectors"
REQUIRED = {
    "azureactivedirectory": "AzureActiveDirectory",
    "azuresecuritycenter": "AzureSecurityCenter",
    "microsoftthreatprotection": "MicrosoftThreatProtection",
}
# Content Hub / codeless connectors whose kind says nothing about the source they connect.
GENERIC_KINDS = frozenset({"genericui", "staticui", "apipolling", "restapipoller"})
PATH = f"{CONNECTORS}[].kind & properties.dataTypes.*.state"
EXPECTED = f"enabled Sentinel data connectors (a dataTypes state 'Enabled') of kinds {sorted(REQUIRED.values())}"


def _kind(connector: Resource) -> str:
    kind = connector.raw.get("kind")
    return kind.lower() if isinstance(kind, str) else ""


def _enabled(connector: Resource) -> bool:
    data_types = lookup(connector, "properties.dataTypes").value
    if not isinstance(data_types, Mapping):
        return False
    return any(isinstance(t, Mapping) and str(t.get("state", "")).lower() == "enabled" for t in data_types.values())


@rule(
    id="MON-12",
    title="Sentinel data connectors for Entra ID, Azure Activity, Defender for Cloud, Defender XDR",
    severity="medium",
    resource_types=["Microsoft.OperationalInsights/workspaces"],
    reads=[ONBOARDING, CONNECTORS],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)", "164.308(a)(5)(ii)(C)"],
    rationale=(
        "A Sentinel workspace can only review activity it receives: Entra ID (identity protection alerts), "
        "Defender for Cloud alerts and Defender XDR incidents bring sign-in risk, resource threats and endpoint "
        "and e-mail incidents affecting ePHI into one place for review. Azure Activity is judged by MON-01 "
        "(subscription diagnostic settings), Entra sign-in logs by the tenant's diagnostic settings. Workspaces "
        "without Sentinel are not applicable; where only Content Hub connectors of a generic kind could stand in "
        "for a missing one, the result is unknown."
    ),
    remediation=(
        "Microsoft Sentinel > Content hub: install 'Microsoft Entra ID', 'Microsoft Defender for Cloud' and "
        "'Microsoft Defender XDR', then Data connectors > each one > Open connector page > Connect (for Defender "
        "for Cloud, connect every subscription holding ePHI)."
    ),
)
def check(workspace: Resource, ctx: Context) -> Verdict:
    connectors = ctx.extensions(workspace, CONNECTORS)
    onboarding = ctx.extensions(workspace, ONBOARDING)
    if not onboarding.items and not connectors.items:
        if onboarding.complete:
            return not_applicable(ONBOARDING, None, "Microsoft Sentinel is not enabled on this workspace", EXPECTED)
        return unknown(PATH, "Sentinel onboarding state and data connectors were not in the input", EXPECTED)
    enabled = sorted({REQUIRED[_kind(c)] for c in connectors.items if _kind(c) in REQUIRED and _enabled(c)})
    missing = [kind for kind in sorted(REQUIRED.values()) if kind not in enabled]
    if not missing:
        return Verdict(Status.PASS, PATH, enabled, EXPECTED)
    if not connectors.complete and not connectors.items:
        return unknown(PATH, "Sentinel data connectors for this workspace were not in the input", EXPECTED)
    observed = {"enabled": enabled, "missing": missing}
    generic = sorted({c.name for c in connectors.items if _kind(c) in GENERIC_KINDS})
    if generic:
        reason = f"not connected: {missing}; Content Hub connectors {generic} may cover them"
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, reason)
    if not connectors.complete:
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, "data connectors were not fully collected")
    return Verdict(Status.FAIL, PATH, observed, EXPECTED, f"not connected: {missing}")

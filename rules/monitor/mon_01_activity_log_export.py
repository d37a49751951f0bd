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

REQUIRED = ("Administrative", "Security", "Alert", "Policy")
PATH = f"{DIAGNOSTIC_SETTINGS}[].properties.logs[]"
EXPECTED = f"enabled Activity Log categories {list(REQUIRED)} (or categoryGroup allLogs) sent to a destination"


@rule(
    id="MON-01",
    title="Subscription Activity Log exported (diagnostic setting) with required categories",
    severity="high",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Insights/diagnosticSettings"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "The Activity Log records control-plane changes to resources holding ePHI (role grants, firewall and "
        "key changes); Azure keeps it only 90 days unless exported, too short to review activity."
    ),
    remediation=(
        "az monitor diagnostic-settings subscription create --name activity-to-law --location <region> "
        '--workspace <workspace-id> --logs \'[{"categoryGroup":"allLogs","enabled":true}]\''
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    related = ctx.extensions(subscription, DIAGNOSTIC_SETTINGS)
    if not related.known:
        return unknown(PATH, "subscription diagnostic settings were not in the input", EXPECTED)
    # Categories may be split across several settings; together they must cover the required set.
    exported: set[str] = set()
    for setting in related.items:
        exported |= exported_logs(setting)
    if "alllogs" in exported:
        return Verdict(Status.PASS, PATH, ["allLogs"], EXPECTED)
    missing = [c for c in REQUIRED if c.lower() not in exported]
    if not missing:
        return Verdict(Status.PASS, PATH, sorted(exported), EXPECTED)
    message = "no subscription diagnostic setting exists" if not related.items else f"not exported: {missing}"
    return Verdict(Status.FAIL, PATH, sorted(exported), EXPECTED, message)

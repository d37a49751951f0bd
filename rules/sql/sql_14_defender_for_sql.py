from hipaa_scan.engine import (
    Check,
    Context,
    Expectation,
    Resource,
    Status,
    Verdict,
    child_settings,
    combine_any,
    defender_plan,
    equals,
    rule,
)

# The API returns [""] when no alert type is disabled.
NONE_DISABLED = Expectation(
    "no alert type disabled",
    lambda v: isinstance(v, list) and all(isinstance(a, str) and not a.strip() for a in v),
)


@rule(
    id="SQL-14",
    title="Microsoft Defender for SQL enabled on server",
    severity="high",
    resource_types=["Microsoft.Sql/servers"],
    reads=[
        "Microsoft.Resources/subscriptions",
        "Microsoft.Security/pricings",
        "Microsoft.Sql/servers/securityAlertPolicies",
    ],
    citations=["164.308(a)(1)(ii)(A)", "164.308(a)(6)(ii)", "164.308(a)(5)(ii)(C)"],
    rationale=(
        "Defender for SQL alerts on SQL injection, anomalous access and brute-force logins against databases "
        "holding ePHI, the detection that incident response depends on."
    ),
    remediation=(
        "az sql server advanced-threat-protection-setting update --name <server> --resource-group <rg> --state Enabled "
        "and clear any disabled alert types (or enable the plan for the subscription: az security pricing create --name SqlServers --tier Standard)"
    ),
)
def check(server: Resource, ctx: Context) -> Verdict:
    # The Default policy exists on every server; absent from a complete listing means Disabled, the default.
    own = child_settings(
        server,
        ctx,
        "Microsoft.Sql/servers/securityAlertPolicies",
        [Check("properties.state", equals("Enabled")), Check("properties.disabledAlerts", NONE_DISABLED)],
        name="Default",
        absent=Status.FAIL,
    )
    # The subscription-wide Defender for SQL plan (DEF-02) protects every server in it.
    subscription = ctx.get(f"/subscriptions/{server.subscription_id}") if server.subscription_id else None
    if own.status is Status.PASS or subscription is None:
        return own
    return combine_any([own, defender_plan(subscription, ctx, "SqlServers")])

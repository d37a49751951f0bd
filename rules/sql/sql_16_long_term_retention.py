from collections.abc import Mapping

from hipaa_scan.engine import (
    Check,
    Context,
    Expectation,
    Resource,
    Status,
    Verdict,
    child_settings,
    combine_any,
    judge,
    lookup,
    named_children,
    not_applicable,
    rule,
)

LTR = "Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies"
PERIODS = ("weeklyRetention", "monthlyRetention", "yearlyRetention")


def _non_zero(duration: object) -> bool:
    # ISO-8601 durations: 'PT0S' means that retention is off.
    return isinstance(duration, str) and any(c in "123456789" for c in duration)


NON_ZERO = Expectation("a non-zero ISO-8601 duration (not 'PT0S')", _non_zero)
ANY_PERIOD = Expectation(
    f"one of {list(PERIODS)} {NON_ZERO.description}",
    lambda p: isinstance(p, Mapping) and any(_non_zero(p.get(k)) for k in PERIODS),
)


@rule(
    id="SQL-16",
    title="SQL database long-term (geo) backup retention configured",
    severity="medium",
    resource_types=["Microsoft.Sql/servers/databases"],
    reads=["Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies"],
    citations=["164.308(a)(7)(ii)(A)"],
    rationale=(
        "Point-in-time restore keeps at most 35 days; long-term retention keeps weekly, monthly or yearly "
        "backups so an exact copy of ePHI can be retrieved long after an incident."
    ),
    remediation="az sql db ltr-policy set --resource-group <rg> --server <server> --name <db> --weekly-retention P12W --monthly-retention P12M --yearly-retention P7Y --week-of-year 1",
)
def check(database: Resource, ctx: Context) -> Verdict:
    if database.name.lower() == "master":
        return not_applicable("name", database.name, "master holds no user data", "name != 'master'")
    kind = lookup(database, "kind")
    if kind.found and "datawarehouse" in str(kind.value).lower():
        return not_applicable(
            "kind", kind.value, "dedicated SQL pools use restore points, not LTR", "an Azure SQL database"
        )
    policy = next(iter(named_children(database, ctx.children(database, LTR), "default")), None)
    if policy is None:
        # No LTR policy in a complete listing means long-term retention is off, the default.
        return child_settings(database, ctx, LTR, [Check("properties", ANY_PERIOD)], name="default", absent=Status.FAIL)
    verdict = combine_any([judge(lookup(policy, f"properties.{p}"), NON_ZERO) for p in PERIODS])
    return Verdict(
        verdict.status, f"{LTR}/default: {verdict.path}", verdict.observed, verdict.expected, verdict.message
    )

from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    NO_BREAK_GLASS,
    SUBSCRIPTION_TYPE,
    CaPolicy,
    Context,
    Resource,
    Status,
    Verdict,
    break_glass,
    conditional_access,
    graph_list,
    log_alert_queries,
    rule,
    unknown,
)
from hipaa_scan.entra import GLOBAL_ADMINISTRATOR, TENANT_TYPE, USERS

ALERTS = "Microsoft.Insights/scheduledQueryRules"
PATH = f"graph.{USERS}[] & graph.conditionalAccessPolicies[].conditions.users.excludeUsers & {ALERTS}[]"
EXPECTED = (
    "at least 2 configured break-glass accounts, each an enabled cloud-only user, in excludeUsers of every "
    "enabled Conditional Access policy with grant controls that targets it, and named (UPN or object id) in the "
    "query of an enabled scheduled query alert rule"
)


def _queries(alert: Resource) -> list[str]:
    """Lower-cased KQL of an enabled log search alert."""
    props = alert.raw.get("properties")
    if not isinstance(props, Mapping) or str(props.get("enabled")).lower() != "true":
        return []
    return log_alert_queries(alert)


def _grants(policy: CaPolicy) -> bool:
    """Only grant controls can lock an account out; session controls cannot."""
    return bool(policy.controls or policy.strength_id is not None or policy.other_grants)


def _targets(policy: CaPolicy, user_id: str) -> bool:
    """Could the policy apply to this break-glass account (a Global Administrator)?
    Policies that target only groups are not judged: membership is not collected."""
    return _grants(policy) and (
        policy.all_users or user_id in policy.include_users or GLOBAL_ADMINISTRATOR in policy.include_roles
    )


def _user(account: str, users: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    if account in users:
        return users[account]
    return next((u for u in users.values() if str(u.get("userPrincipalName", "")).lower() == account), None)


@rule(
    id="ID-11",
    title="Break-glass (emergency access) accounts present and excluded from CA",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=[ALERTS, SUBSCRIPTION_TYPE, "Microsoft.Graph/conditionalAccessPolicies", "Microsoft.Graph/users"],
    citations=["164.312(a)(2)(ii)"],
    rationale=(
        "The emergency access procedure needs a way into the tenant when MFA, federation or a Conditional Access "
        "mistake locks every administrator out: at least two enabled, cloud-only accounts that no policy can "
        "block, whose every sign-in raises an alert because nobody should be using them."
    ),
    remediation=(
        "Create two cloud-only accounts on the *.onmicrosoft.com domain (Entra admin center > Users > New user), "
        "assign Global Administrator permanently, add their object ids to Users > Exclude of every Conditional "
        "Access policy, and create a Log Analytics alert: az monitor scheduled-query create --name "
        "break-glass-sign-in --resource-group <rg> --scopes <workspace id> --condition "
        "\"count 'BreakGlass' > 0\" --condition-query BreakGlass=\"SigninLogs | where UserId in ('<id1>','<id2>')\" "
        "--action-groups <action group id>. Record the procedure and its tests as attestation evidence."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    accounts = break_glass(ctx.settings, tenant)
    if not accounts:
        return unknown(PATH, NO_BREAK_GLASS, EXPECTED)
    users = graph_list(tenant, USERS, EXPECTED)
    if isinstance(users, Verdict):
        return users
    policies = conditional_access(tenant, EXPECTED)
    if isinstance(policies, Verdict):
        return policies
    enforced = [p for p in policies if p.enabled]
    queries = [q for alert in ctx.of_type(ALERTS) for q in _queries(alert)]
    subscriptions = ctx.of_type(SUBSCRIPTION_TYPE)
    alerts_complete = bool(subscriptions) and all(ctx.is_complete(ALERTS, s.subscription_id) for s in subscriptions)
    problems: dict[str, list[str]] = {}
    doubts: dict[str, list[str]] = {}
    if len(accounts.configured) < 2:
        problems["(configuration)"] = [f"{len(accounts.configured)} break-glass account configured; at least 2 needed"]
    for account in sorted(accounts.configured):
        user = _user(account, accounts.users)
        if user is None:
            doubts[account] = ["not in the collected users (collect with --break-glass so the collector reads it)"]
            continue
        uid = str(user.get("id", "")).lower()
        upn = str(user.get("userPrincipalName") or "").lower()
        mine: list[str] = []
        unsure: list[str] = []
        enabled = user.get("accountEnabled")
        if enabled is False:
            mine.append("account is disabled")
        elif enabled is not True:
            unsure.append("accountEnabled not collected")
        if user.get("onPremisesSyncEnabled") is True:
            mine.append("synchronised from on-premises AD (not cloud-only)")
        mine += [f"not excluded from '{p.name}'" for p in enforced if _targets(p, uid) and uid not in p.exclude_users]
        if not any(uid in q or (upn and upn in q) for q in queries):
            if alerts_complete:
                mine.append("no enabled scheduled query alert names it")
            else:
                unsure.append("no alert names it, and scheduled query rules were not collected for every subscription")
        if mine:
            problems[account] = mine
        if unsure:
            doubts[account] = unsure
    if problems:
        return Verdict(
            Status.FAIL, PATH, problems, EXPECTED, "; ".join(f"{k}: {', '.join(v)}" for k, v in problems.items())
        )
    if doubts:
        return Verdict(
            Status.UNKNOWN, PATH, doubts, EXPECTED, "; ".join(f"{k}: {', '.join(v)}" for k, v in doubts.items())
        )
    by_group = sorted(p.name for p in enforced if _grants(p) and p.include_groups and not p.all_users)
    note = f"policies targeting groups were not judged (membership is not collected): {by_group}" if by_group else ""
    return Verdict(Status.PASS, PATH, sorted(accounts.configured), EXPECTED, note)

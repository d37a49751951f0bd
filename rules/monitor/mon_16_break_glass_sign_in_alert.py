from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    NO_BREAK_GLASS,
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Status,
    Verdict,
    break_glass,
    equals,
    list_at,
    log_alert_queries,
    lookup,
    rule,
    unknown,
)
from hipaa_scan.entra import TENANT_TYPE

LOG_ALERTS = "Microsoft.Insights/scheduledQueryRules"
SENTINEL_RULES = "Microsoft.SecurityInsights/alertRules"
WORKSPACES = "Microsoft.OperationalInsights/workspaces"
PATH = f"{LOG_ALERTS}[].properties.criteria.allOf[].query | {SENTINEL_RULES}[].properties.query"
EXPECTED = (
    "every configured break-glass account (object id or UPN) named in the SigninLogs query of an enabled log "
    "search alert with an action group, or of an enabled Sentinel scheduled/NRT rule that creates incidents"
)


def _log_alert(alert: Resource) -> tuple[list[str], str]:
    """(lower-cased queries, why it cannot notify or '') of a log search alert."""
    props = alert.raw.get("properties")
    if not isinstance(props, Mapping):
        return [], "properties not in the input"
    groups = list_at(props.get("actions"), "actionGroups")
    legacy = lookup(alert, "properties.action.aznsAction.actionGroup").value
    reason = ""
    if not equals(True)(props.get("enabled")):
        reason = "disabled"
    elif not groups and not legacy:
        reason = "no action group"
    return log_alert_queries(alert), reason


def _sentinel_rule(alert: Resource) -> tuple[list[str], str]:
    props = alert.raw.get("properties")
    if not isinstance(props, Mapping) or str(alert.raw.get("kind", "")).lower() not in ("scheduled", "nrt"):
        return [], "not a query rule"
    query = props.get("query")
    reason = ""
    if not equals(True)(props.get("enabled")):
        reason = "disabled"
    elif not equals(True)(lookup(alert, "properties.incidentConfiguration.createIncident").value):
        reason = "creates no incident"
    return ([query.lower()] if isinstance(query, str) else []), reason


def _names(account: str, users: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The account's object id and UPN, as far as the input tells them."""
    names = {account}
    for uid, user in users.items():
        upn = str(user.get("userPrincipalName") or "").lower()
        if account in (uid, upn):
            names |= {uid, upn} - {""}
    return names


@rule(
    id="MON-16",
    title="Alert on emergency-access (break-glass) account sign-in",
    severity="medium",
    resource_types=[TENANT_TYPE],
    reads=[LOG_ALERTS, SENTINEL_RULES, WORKSPACES, SUBSCRIPTION_TYPE, "Microsoft.Graph/users"],
    citations=["164.312(a)(2)(ii)", "164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
    rationale=(
        "Emergency-access accounts bypass Conditional Access, so any sign-in by one must reach the security team "
        "at once: either it is a declared emergency, or the account is compromised. The break-glass accounts come "
        "from --break-glass (none configured: unknown). An account counts as alerted when an enabled rule whose "
        "query reads SigninLogs names its object id or UPN and notifies (an action group, or a Sentinel incident); "
        "the accounts may be split across several rules."
    ),
    remediation=(
        "az monitor scheduled-query create --name break-glass-sign-in --resource-group <rg> --scopes "
        '<workspace-id> --condition "count \'BreakGlass\' > 0" --condition-query BreakGlass="SigninLogs | where '
        "UserId in ('<id1>','<id2>')\" --evaluation-frequency 5m --window-size 5m --severity 0 --action-groups "
        "<action-group-id> (or a Sentinel scheduled analytics rule with incident creation)"
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    accounts = break_glass(ctx.settings, tenant)
    if not accounts:
        return unknown(PATH, NO_BREAK_GLASS, EXPECTED)
    notifying: list[tuple[str, str]] = []
    silent: list[tuple[str, str, str]] = []
    rules = [(a, _log_alert(a)) for a in ctx.of_type(LOG_ALERTS)]
    workspaces = ctx.of_type(WORKSPACES)
    rules += [(r, _sentinel_rule(r)) for w in workspaces for r in ctx.extensions(w, SENTINEL_RULES).items]
    for alert, (queries, reason) in rules:
        for query in queries:
            if "signinlogs" not in query:
                continue
            if reason:
                silent.append((alert.name, query, reason))
            else:
                notifying.append((alert.name, query))
    covered: dict[str, str] = {}
    problems: dict[str, str] = {}
    for account in sorted(accounts.configured):
        names = _names(account, accounts.users)
        hit = next((name for name, query in notifying if any(n in query for n in names)), None)
        if hit:
            covered[account] = hit
            continue
        muted = [f"'{name}' ({reason})" for name, query, reason in silent if any(n in query for n in names)]
        problems[account] = f"only in {', '.join(muted)}" if muted else "no alert names it"
    if not problems:
        return Verdict(Status.PASS, PATH, covered, EXPECTED)
    subscriptions = ctx.of_type(SUBSCRIPTION_TYPE)
    complete = (
        bool(subscriptions)
        and all(ctx.is_complete(LOG_ALERTS, s.subscription_id) for s in subscriptions)
        and all(ctx.is_complete(WORKSPACES, s.subscription_id) for s in subscriptions)
        and all(ctx.extensions(w, SENTINEL_RULES).complete for w in workspaces)
    )
    unresolved = [a for a in problems if "@" in a and a in accounts.unresolved] + [
        a for a in problems if "@" not in a and a not in accounts.users
    ]
    message = "; ".join(f"{k}: {v}" for k, v in problems.items())
    if not complete:
        return Verdict(Status.UNKNOWN, PATH, problems, EXPECTED, f"{message} (alert rules were not fully collected)")
    if unresolved:
        note = (
            f"{message} (the UPN or object id of {unresolved} is not in the collected users, so a rule naming "
            "the account the other way would not be recognised)"
        )
        return Verdict(Status.UNKNOWN, PATH, problems, EXPECTED, note)
    return Verdict(Status.FAIL, PATH, problems, EXPECTED, message)

"""Reusable checks that several rules share: diagnostic settings, child
settings, private endpoints, Defender plans and settings, and NSG exposure.
Each returns a Verdict so rules stay a few lines long."""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hipaa_scan.engine.defaults import child_default
from hipaa_scan.engine.expect import equals
from hipaa_scan.engine.index import Related
from hipaa_scan.engine.lookup import Presence, list_at, lookup, lookup_in
from hipaa_scan.engine.rule import Check, Context, Verdict, combine_all, judge, unknown, verdict_for
from hipaa_scan.model import Resource, Semantics, Status, Unresolved

DIAGNOSTIC_SETTINGS = "Microsoft.Insights/diagnosticSettings"
PRICINGS = "Microsoft.Security/pricings"
_DESTINATIONS = ("workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId")


def exported_logs(setting: Resource) -> set[str]:
    """Lower-cased log categories and category groups that one diagnostic
    setting exports: enabled, and sent to at least one destination."""
    props = setting.raw.get("properties")
    if not isinstance(props, Mapping):
        return set()
    if not any(isinstance(props.get(k), str) and props.get(k) for k in _DESTINATIONS):
        return set()
    out: set[str] = set()
    for log in list_at(props, "logs"):
        if isinstance(log, Mapping) and equals(True)(log.get("enabled")):
            out.update(str(log[k]).lower() for k in ("category", "categoryGroup") if log.get(k))
    return out


def diagnostic_logs(
    resource: Resource,
    ctx: Context,
    categories: Iterable[str],
    groups: Iterable[str] = ("audit", "allLogs"),
) -> Verdict:
    """Pass when a diagnostic setting on the resource sends an enabled log of
    one of ``categories`` (or category ``groups``) to a destination."""
    wanted = {c.lower() for c in categories} | {g.lower() for g in groups}
    expected = f"an enabled log in {sorted(wanted)} sent to a destination"
    path = f"{DIAGNOSTIC_SETTINGS}[].properties.logs[]"
    related = ctx.extensions(resource, DIAGNOSTIC_SETTINGS)
    if not related.known:
        return unknown(path, "diagnostic settings for this resource were not in the input", expected)
    observed: dict[str, list[str]] = {}
    for setting in related.items:
        exported = exported_logs(setting)
        observed[setting.name] = sorted(exported)
        if exported & wanted:
            return Verdict(Status.PASS, path, {setting.name: sorted(exported & wanted)}, expected)
    message = "no diagnostic setting exists" if not related.items else "no matching enabled log with a destination"
    return Verdict(Status.FAIL, path, observed, expected, message)


def find_pricing(subscription: Resource, ctx: Context, plan: str) -> Resource | None:
    """The Microsoft.Security/pricings resource for ``plan`` on a subscription."""
    return next((r for r in ctx.extensions(subscription, PRICINGS).items if r.name.lower() == plan.lower()), None)


def named_children(parent: Resource, related: Related, name: str) -> list[Resource]:
    """The children called ``name`` (``default``, ``current``). A template's only
    child of such a singleton type is that child, whatever its legacy name
    (``DefaultAuditingSettings``): the nesting says whose it is."""
    wanted = name.lower()
    items = [r for r in related.items if r.name.lower() == wanted]
    if not items and len(related.items) == 1 and parent.semantics is Semantics.DESIRED:
        return list(related.items)
    return items


def child_settings(
    resource: Resource,
    ctx: Context,
    child_type: str,
    checks: Sequence[Check],
    *,
    name: str | None = None,
    absent: Status = Status.UNKNOWN,
) -> Verdict:
    """Evaluate checks on a child resource such as ``servers/auditingSettings``.

    When the child is not in the input the result is unknown, unless the input
    enumerated that type completely; then ``absent`` applies."""
    related = ctx.children(resource, child_type)
    items = list(related.items) if name is None else named_children(resource, related, name)
    path = f"{child_type}" + (f"/{name}" if name else "")
    expected = " AND ".join(f"{c.path} {c.expect.description}" for c in checks)
    if not items:
        default = child_default(resource, child_type) if related.complete else None
        if default is not None:
            # Desired state: the undeclared child is what the service creates.
            stand_in = Resource(
                id=f"{resource.id}/{child_type.rsplit('/', 1)[1]}/{default.name}",
                type=child_type,
                name=default.name,
                location=None,
                raw={"properties": dict(default.properties)},
                source="(service default)",
            )
            verdict = combine_all([judge(lookup(stand_in, c.path), c.expect, c.when_missing) for c in checks])
            note = (
                f"not declared; the service creates it with {json.dumps(dict(default.properties))} ({default.source})"
            )
            return Verdict(verdict.status, path, verdict.observed, expected, note)
        if related.complete:
            return Verdict(absent, path, None, expected, f"no {path} exists")
        return unknown(path, f"{path} was not in the input", expected)
    # Several children (e.g. one per database) must all satisfy the checks.
    verdicts = [
        combine_all([judge(lookup(child, c.path), c.expect, c.when_missing) for c in checks]) for child in items
    ]
    worst = combine_all(verdicts)
    if worst.status is Status.PASS:
        return Verdict(Status.PASS, f"{path}: {verdicts[0].path}", verdicts[0].observed, verdicts[0].expected)
    return Verdict(worst.status, f"{path}: {worst.path}", worst.observed, worst.expected, worst.message)


def comma_list(value: Any) -> list[str]:
    """The lower-cased items of a comma-separated setting such as a database
    server parameter (``CONNECTION,DDL``, ``pg_cron,pgaudit``); none unless a string."""
    return [v.strip().lower() for v in value.split(",") if v.strip()] if isinstance(value, str) else []


WEB_CONFIG = "Microsoft.Web/sites/config"


def web_config(site: Resource, ctx: Context, checks: Sequence[Check]) -> Verdict:
    """Evaluate checks written against ``config/web`` (``properties.ftpsState`` ...).

    The ``Microsoft.Web/sites/config`` child named ``web`` is authoritative. A
    site GET or Resource Graph row may embed ``properties.siteConfig``, but it
    is often partial, so it is used only when every checked path is present
    there; otherwise the result comes from the child (unknown when absent)."""
    has_child = any(c.name.lower() == "web" for c in ctx.children(site, WEB_CONFIG).items)
    if not has_child and site.semantics is Semantics.DESIRED:
        # A template's siteConfig is the configuration it deploys: what it
        # leaves out takes the service default of config/web.
        site_config = lookup(site, "properties.siteConfig")
        if site_config.presence is Presence.UNRESOLVED or site_config.presence is Presence.NOT_COLLECTED:
            return judge(site_config, checks[0].expect)
        stand_in = Resource(
            id=f"{site.id}/config/web",
            type=WEB_CONFIG,
            name="web",
            location=None,
            raw={"properties": site_config.value if isinstance(site_config.value, Mapping) else {}},
            source=site.source,
            semantics=Semantics.DESIRED,
        )
        verdict = combine_all([verdict_for(stand_in, c) for c in checks])
        return Verdict(
            verdict.status,
            f"site: properties.siteConfig ({verdict.path})",
            verdict.observed,
            verdict.expected,
            verdict.message,
        )
    if not has_child:
        embedded = [
            Check("properties.siteConfig." + c.path.removeprefix("properties."), c.expect, c.when_missing)
            for c in checks
        ]
        if all(lookup(site, c.path).found for c in embedded):
            verdict = combine_all([verdict_for(site, c) for c in embedded])
            return Verdict(verdict.status, f"site: {verdict.path}", verdict.observed, verdict.expected, verdict.message)
    return child_settings(site, ctx, WEB_CONFIG, checks, name="web")


BLOB_SERVICES = "Microsoft.Storage/storageAccounts/blobServices"


def blob_service_settings(account: Resource, ctx: Context, checks: Sequence[Check]) -> Verdict:
    """Evaluate checks on a storage account's ``blobServices/default`` child.

    FileStorage accounts have no blob service (not applicable). Every other
    account has exactly one, so a complete listing without it is a fail."""
    kind = lookup(account, "kind")
    if kind.found and equals("FileStorage")(kind.value):
        expected = " AND ".join(f"{c.path} {c.expect.description}" for c in checks)
        return Verdict(Status.NOT_APPLICABLE, "kind", kind.value, expected, "FileStorage accounts have no blob service")
    return child_settings(account, ctx, BLOB_SERVICES, checks, name="default", absent=Status.FAIL)


def approved_private_endpoint(resource: Resource) -> Verdict:
    path = "properties.privateEndpointConnections[].properties.privateLinkServiceConnectionState.status"
    expected = "at least one connection with status 'Approved'"
    found = lookup(resource, "properties.privateEndpointConnections")
    if not found.found:
        verdict = judge(found, equals("Approved"), Status.FAIL)
        return Verdict(verdict.status, path, None, expected, verdict.message)
    if isinstance(found.value, Unresolved) or not isinstance(found.value, list):
        return unknown(path, "privateEndpointConnections is not a list", expected)
    statuses = []
    for conn in found.value:
        if isinstance(conn, Mapping):
            state = lookup_in(conn, "properties.privateLinkServiceConnectionState.status")
            statuses.append(state.value if state.found else None)
    ok = any(equals("Approved")(s) for s in statuses)
    return Verdict(Status.PASS if ok else Status.FAIL, path, statuses, expected)


def defender_plan(subscription: Resource, ctx: Context, plan: str, extra: Sequence[Check] = ()) -> Verdict:
    """Microsoft Defender for Cloud plan ``plan`` is on (Standard tier) for the subscription."""
    pricing = find_pricing(subscription, ctx, plan)
    path = f"{PRICINGS}/{plan}"
    if pricing is None:
        if ctx.extensions(subscription, PRICINGS).complete:
            return Verdict(Status.FAIL, path, None, "pricingTier == 'Standard'", "plan not present (Free tier)")
        return unknown(path, f"Defender pricing '{plan}' was not in the input", "pricingTier == 'Standard'")
    checks = [Check("properties.pricingTier", equals("Standard")), *extra]
    verdict = combine_all([judge(lookup(pricing, c.path), c.expect, c.when_missing) for c in checks])
    return Verdict(verdict.status, f"{path}: {verdict.path}", verdict.observed, verdict.expected, verdict.message)


SECURITY_SETTINGS = "Microsoft.Security/settings"


def security_setting_enabled(
    subscription: Resource,
    ctx: Context,
    name: str,
    *,
    not_collected: str = "Defender for Cloud settings for this subscription were not in the input",
) -> Verdict:
    """Defender for Cloud integration setting ``name`` (``WDATP``: Defender for
    Endpoint) has ``properties.enabled`` true. A complete listing without it
    fails: the integration was never set up (Azure Policy MDC_MDE_WDATP_DINE
    deploys the setting when it does not exist)."""
    path = f"{SECURITY_SETTINGS}/{name}: properties.enabled"
    expected = equals(True).description
    related = ctx.extensions(subscription, SECURITY_SETTINGS)
    setting = next((s for s in related.items if s.name.lower() == name.lower()), None)
    if setting is None:
        if related.complete:
            return Verdict(Status.FAIL, path, None, expected, f"no {name} setting exists")
        return unknown(path, not_collected, expected)
    verdict = judge(lookup(setting, "properties.enabled"), equals(True))
    return Verdict(verdict.status, path, verdict.observed, verdict.expected, verdict.message)


# --- network exposure --------------------------------------------------------

INTERNET_SOURCES = frozenset({"*", "0.0.0.0", "0.0.0.0/0", "internet", "any", "::/0"})


def _as_list(single: Any, many: Any) -> list[Any]:
    out: list[Any] = []
    if single not in (None, ""):
        out.append(single)
    if isinstance(many, list):
        out.extend(many)
    return out


def _port_ranges(values: Iterable[Any]) -> list[tuple[int, int]] | None:
    """Parse '22', '1000-2000', '*' into ranges; None if any is unresolved."""
    ranges: list[tuple[int, int]] = []
    for value in values:
        if isinstance(value, Unresolved):
            return None
        text = str(value).strip()
        if text in ("*", "any", "Any"):
            ranges.append((0, 65535))
        elif "-" in text:
            low, high = text.split("-", 1)
            ranges.append((int(low), int(high)))
        else:
            ranges.append((int(text), int(text)))
    return ranges


def _internet_source(values: Iterable[Any]) -> bool | None:
    for value in values:
        if isinstance(value, Unresolved):
            return None
        if _is_internet(str(value)):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _is_internet(prefix: str) -> bool:
    """Whether one source prefix is the whole Internet. Cached: an estate
    repeats a handful of prefixes across thousands of NSGs."""
    text = prefix.strip().lower()
    if text in INTERNET_SOURCES:
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False  # service tags such as VirtualNetwork are not the Internet


def nsg_internet_exposure(
    resource: Resource,
    ctx: Context,
    ports: Sequence[int] | None,
    protocols: Iterable[str] = ("*", "tcp", "udp"),
    *,
    any_port: bool = False,
) -> Verdict:
    """Fail when an inbound Allow rule from the Internet reaches any of
    ``ports`` over ``protocols``. ``ports=None`` matches only rules whose
    range covers every port; ``any_port=True`` matches a rule on any port.

    Rules are read from ``properties.securityRules`` and from
    ``networkSecurityGroups/securityRules`` child resources, since templates
    and some exports list them separately."""
    path = "properties.securityRules[]"
    wanted_protocols = {p.lower() for p in protocols}
    if any_port:
        expected = f"no inbound Allow from the Internet over {sorted(wanted_protocols)} on any port"
    elif ports:
        expected = f"no inbound Allow from the Internet to ports {list(ports)}"
    else:
        expected = "no inbound Allow from the Internet to all ports"
    found = lookup(resource, "properties.securityRules")
    # Inline rules unknown (properties not collected, or an expression) still
    # leave the standalone rules to judge: one of them open to the Internet fails.
    inline_known = found.found or (found.presence is Presence.MISSING and resource.properties_collected)
    rules: list[Mapping[str, Any]] = []
    if found.found and isinstance(found.value, list):
        rules.extend(r for r in found.value if isinstance(r, Mapping))
    elif found.found:
        return unknown(path, "securityRules is not a list", expected)
    rules.extend(
        child.raw for child in ctx.children(resource, "Microsoft.Network/networkSecurityGroups/securityRules").items
    )
    offending: list[str] = []
    undecidable: list[str] = []
    for sec_rule in rules:
        props = sec_rule.get("properties", sec_rule)
        if not isinstance(props, Mapping):
            continue
        name = str(sec_rule.get("name", "?"))
        if str(props.get("access", "")).lower() != "allow" or str(props.get("direction", "")).lower() != "inbound":
            continue
        if str(props.get("protocol", "*")).lower() not in wanted_protocols:
            continue
        source = _internet_source(_as_list(props.get("sourceAddressPrefix"), props.get("sourceAddressPrefixes")))
        try:
            ranges = _port_ranges(_as_list(props.get("destinationPortRange"), props.get("destinationPortRanges")))
        except ValueError:
            ranges = None
        if source is None or ranges is None:
            undecidable.append(name)
            continue
        if not source:
            continue
        if any_port:
            hit = bool(ranges)
        elif ports is None:
            hit = any(low <= 0 and high >= 65535 for low, high in ranges)
        else:
            hit = any(low <= port <= high for low, high in ranges for port in ports)
        if hit:
            offending.append(name)
    if offending:
        return Verdict(Status.FAIL, path, sorted(offending), expected, "rules allow Internet traffic")
    if not inline_known:
        reason = "value is an unresolved template expression" if found.presence is Presence.UNRESOLVED else None
        return unknown(path, reason or "properties were not in the input", expected)
    if undecidable:
        return Verdict(Status.UNKNOWN, path, sorted(undecidable), expected, "rules with unresolved values")
    return Verdict(Status.PASS, path, [], expected)


def location_allowed(resource: Resource, ctx: Context) -> Verdict:
    expected = "location in the approved list"
    allowed = ctx.settings.allowed_locations
    if not allowed:
        return unknown("location", "no approved-region list configured (--allowed-locations)", expected)
    location = resource.raw.get("location")
    if isinstance(location, Unresolved):
        return Verdict(Status.UNKNOWN, "location", str(location), expected, "unresolved template expression")
    if not isinstance(location, str) or not location:
        return unknown("location", "resource has no location in the input", expected)
    normal = location.replace(" ", "").lower()
    if normal == "global":
        return Verdict(Status.NOT_APPLICABLE, "location", location, expected, "global resource")
    ok = normal in allowed
    return Verdict(Status.PASS if ok else Status.FAIL, "location", location, f"location in {sorted(allowed)}")


# --- activity log and log search alerts --------------------------------------------

ACTIVITY_LOG_ALERTS = "Microsoft.Insights/activityLogAlerts"


def _alert_conditions(props: Mapping[str, Any]) -> dict[str, set[str]]:
    """{field: {values}} from condition.allOf[], including anyOf alternatives."""
    out: dict[str, set[str]] = {}
    condition = props.get("condition")
    clauses = condition.get("allOf") if isinstance(condition, Mapping) else None
    for clause in clauses if isinstance(clauses, list) else []:
        if not isinstance(clause, Mapping):
            continue
        any_of = clause.get("anyOf")
        options: list[Any] = any_of if isinstance(any_of, list) else [clause]
        for option in options:
            if (
                isinstance(option, Mapping)
                and isinstance(option.get("field"), str)
                and isinstance(option.get("equals"), str)
            ):
                out.setdefault(option["field"].lower(), set()).add(option["equals"].lower())
    return out


def _covers_subscription(props: Mapping[str, Any], subscription_id: str) -> bool:
    scopes = props.get("scopes")
    wanted = f"subscriptions/{subscription_id}"
    return isinstance(scopes, list) and any(isinstance(s, str) and s.strip("/").lower() == wanted for s in scopes)


def activity_log_alert(
    subscription: Resource,
    ctx: Context,
    *,
    categories: Sequence[str] = ("Administrative",),
    operations: Sequence[str] = (),
) -> Verdict:
    """Pass when, for every operation in ``operations`` (or once, when none is
    given), an enabled activity log alert scoped to the whole subscription
    fires on one of ``categories`` and that operation.

    Alerts are ordinary resources anywhere in the subscription; none found is
    a fail only when the input enumerated alerts completely for it."""
    sub = subscription.subscription_id or ""
    wanted_categories = {c.lower() for c in categories}
    expected = f"an enabled subscription-wide alert on category {list(categories)}" + (
        f" for each of {list(operations)}" if operations else ""
    )
    path = f"{ACTIVITY_LOG_ALERTS}[].properties.condition.allOf[]"
    alerts = [a for a in ctx.of_type(ACTIVITY_LOG_ALERTS) if a.subscription_id == sub]
    if not alerts and not ctx.is_complete(ACTIVITY_LOG_ALERTS, sub):
        return unknown(path, "activity log alerts for this subscription were not in the input", expected)
    usable: list[tuple[str, dict[str, set[str]]]] = []
    for alert in alerts:
        props = alert.raw.get("properties")
        if not isinstance(props, Mapping):
            continue
        fields = _alert_conditions(props)
        enabled = equals(True)(props.get("enabled", True))
        if enabled and _covers_subscription(props, sub) and fields.get("category", set()) & wanted_categories:
            usable.append((alert.name, fields))
    wanted_operations = list(operations) or [""]
    matched: dict[str, str] = {}
    for operation in wanted_operations:
        for name, fields in usable:
            if not operation or operation.lower() in fields.get("operationname", set()):
                matched[operation or "category"] = name
                break
    missing = [op or "category" for op in wanted_operations if (op or "category") not in matched]
    if not missing:
        return Verdict(Status.PASS, path, matched, expected)
    observed = {"alerts": sorted(a.name for a in alerts), "not_alerted": missing}
    return Verdict(Status.FAIL, path, observed, expected, "no matching enabled alert")


def log_alert_queries(alert: Resource) -> list[str]:
    """Lower-cased KQL of a log search alert (``scheduledQueryRules``), enabled
    or not: ``criteria.allOf[].query`` (2021-08-01 and later) and
    ``source.query`` (2018-04-16)."""
    props = alert.raw.get("properties")
    if not isinstance(props, Mapping):
        return []
    queries = [c.get("query") for c in list_at(props.get("criteria"), "allOf") if isinstance(c, Mapping)]
    source = props.get("source")
    if isinstance(source, Mapping):
        queries.append(source.get("query"))
    return [q.lower() for q in queries if isinstance(q, str)]


# --- Key Vault keys referenced by URI --------------------------------------------

KEY_VAULTS = "Microsoft.KeyVault/vaults"
VAULT_KEYS = "Microsoft.KeyVault/vaults/keys"


@dataclass(frozen=True, slots=True)
class KeyReference:
    """Where a key URI (https://<vault>.vault.azure.net/keys/<name>/<version>) leads."""

    uri: str
    vault_name: str | None
    key_name: str | None
    vault: Resource | None
    key: Resource | None
    key_listing_complete: bool


def resolve_key_uri(ctx: Context, uri: str) -> KeyReference:
    """Follow a customer-managed key URI to its vault and key resources.

    Vault names are globally unique DNS labels, so the host's first label
    names the vault; the key is the vault's ``keys`` child of that name."""
    parsed = urlsplit(uri)
    host = (parsed.hostname or "").lower()
    parts = [p for p in parsed.path.split("/") if p]
    vault_name = host.split(".", 1)[0] if host.endswith((".vault.azure.net", ".managedhsm.azure.net")) else None
    key_name = parts[1] if len(parts) >= 2 and parts[0].lower() == "keys" else None
    vault = None
    if vault_name:
        vault = next((v for v in ctx.of_type(KEY_VAULTS) if v.name.lower() == vault_name), None)
    key = None
    complete = False
    if vault is not None and key_name:
        keys = ctx.children(vault, VAULT_KEYS)
        complete = keys.complete
        key = next((k for k in keys.items if k.name.lower() == key_name.lower()), None)
    return KeyReference(uri, vault_name, key_name, vault, key, complete)

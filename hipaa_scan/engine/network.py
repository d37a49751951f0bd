"""Subnets of a virtual network, wherever the input declares them, and the
verdict over a VNet's workload subnets that several network rules share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hipaa_scan.engine.lookup import Presence, lookup
from hipaa_scan.engine.rule import Context, Verdict, unknown
from hipaa_scan.model import Resource, Status

SUBNETS = "Microsoft.Network/virtualNetworks/subnets"
# Subnets Azure reserves for its own gateways, firewalls and Bastion: they carry
# no workloads, and Azure forbids or does not support an NSG there (or needs
# them to keep their own Internet route).
PLATFORM_SUBNETS = frozenset(
    s.lower()
    for s in (
        "GatewaySubnet",
        "AzureFirewallSubnet",
        "AzureFirewallManagementSubnet",
        "RouteServerSubnet",
        "AzureBastionSubnet",
    )
)


def subnet_name(subnet: Mapping[str, Any]) -> str:
    """The subnet's own name (a child resource may be named ``vnet/subnet``)."""
    return str(subnet.get("name", "?")).rsplit("/", 1)[-1]


def vnet_subnets(vnet: Resource, ctx: Context) -> list[Mapping[str, Any]] | None:
    """Inline ``properties.subnets`` plus subnets declared as child resources
    (templates and some exports list them separately), each once; None when the
    input does not say which subnets the VNet has."""
    found = lookup(vnet, "properties.subnets")
    if found.presence in (Presence.NOT_COLLECTED, Presence.UNRESOLVED):
        return None
    subnets = [s for s in found.value if isinstance(s, Mapping)] if isinstance(found.value, list) else []
    children = ctx.children(vnet, SUBNETS)
    seen = {str(s.get("name", "")).lower() for s in subnets}
    subnets.extend(c.raw for c in children.items if c.name.rsplit("/", 1)[-1].lower() not in seen)
    if not subnets and not found.found and not children.complete:
        return None
    return subnets


def judge_workload_subnets(
    vnet: Resource,
    ctx: Context,
    judge_subnet: Callable[[Mapping[str, Any]], tuple[Status, str]],
    *,
    path: str,
    expected: str,
    failing: str,
) -> Verdict:
    """Judge each workload subnet (platform subnets are exempt) with
    ``judge_subnet``, which gets a subnet whose properties are in the input and
    returns (status, why). Fails naming each failing subnet and why (``failing``
    is the message), else is unknown naming each undecided one, else passes
    listing the workload subnets; not applicable when the VNet has none."""
    subnets = vnet_subnets(vnet, ctx)
    if subnets is None:
        return unknown(path, "subnets were not in the input", expected)
    workload = [s for s in subnets if subnet_name(s).lower() not in PLATFORM_SUBNETS]
    if not workload:
        return Verdict(Status.NOT_APPLICABLE, path, [], expected, "the VNet has no workload subnets")
    failed: dict[str, str] = {}
    undecided: dict[str, str] = {}
    for subnet in workload:
        name = subnet_name(subnet)
        if not isinstance(subnet.get("properties"), Mapping):
            undecided[name] = "subnet properties not in the input"
            continue
        status, why = judge_subnet(subnet)
        if status is Status.FAIL:
            failed[name] = why
        elif status is Status.UNKNOWN:
            undecided[name] = why
    if failed:
        return Verdict(Status.FAIL, path, failed, expected, failing)
    if undecided:
        return Verdict(Status.UNKNOWN, path, undecided, expected, "; ".join(sorted(set(undecided.values()))))
    return Verdict(Status.PASS, path, sorted(subnet_name(s) for s in workload), expected)

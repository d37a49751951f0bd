from collections.abc import Mapping

from hipaa_scan.engine import Context, Presence, Resource, Status, Verdict, lookup, lookup_in, rule, unknown

PATH = "properties.frontendEndpoints[].properties.webApplicationFirewallPolicyLink.id"
EXPECTED = "every frontend endpoint links a WAF policy"


@rule(
    id="NET-23",
    title="Front Door (classic) endpoints have a WAF policy",
    severity="high",
    resource_types=["Microsoft.Network/frontDoors"],
    citations=["164.312(e)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A Front Door endpoint without a web application firewall policy passes injection and other OWASP "
        "attacks straight to the web applications behind it that serve ePHI."
    ),
    remediation=(
        "az network front-door update --name <fd> --resource-group <rg> --set "
        "frontendEndpoints[0].webApplicationFirewallPolicyLink.id=<waf-policy-id> (for each frontend endpoint)"
    ),
)
def check(front_door: Resource, _ctx: Context) -> Verdict:
    found = lookup(front_door, "properties.frontendEndpoints")
    if not found.found or not isinstance(found.value, list) or not found.value:
        return unknown(PATH, "frontend endpoints were not in the input", EXPECTED)
    without: list[str] = []
    unreadable: list[str] = []
    for endpoint in found.value:
        name = str(endpoint.get("name", "?")) if isinstance(endpoint, Mapping) else str(endpoint)
        props = endpoint.get("properties") if isinstance(endpoint, Mapping) else None
        if not isinstance(props, Mapping):
            unreadable.append(name)
            continue
        link = lookup_in(props, "webApplicationFirewallPolicyLink.id")
        if link.presence is Presence.UNRESOLVED:
            unreadable.append(name)
        elif not (link.found and isinstance(link.value, str) and link.value):
            without.append(name)
    if without:
        return Verdict(Status.FAIL, PATH, sorted(without), EXPECTED, "frontend endpoints without a WAF policy")
    if unreadable:
        return Verdict(Status.UNKNOWN, PATH, sorted(unreadable), EXPECTED, "frontend endpoints could not be read")
    return Verdict(Status.PASS, PATH, [], EXPECTED)

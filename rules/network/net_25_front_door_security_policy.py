from collections.abc import Mapping

from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    equals,
    list_at,
    lookup,
    one_of,
    rule,
    unknown,
)

ENDPOINTS = "Microsoft.Cdn/profiles/afdEndpoints"
CUSTOM_DOMAINS = "Microsoft.Cdn/profiles/customDomains"
SECURITY_POLICIES = "Microsoft.Cdn/profiles/securityPolicies"
FRONT_DOOR_SKUS = one_of("Standard_AzureFrontDoor", "Premium_AzureFrontDoor")
PATH = f"{SECURITY_POLICIES}[].properties.parameters.associations[].domains[].id"
EXPECTED = "every endpoint and custom domain is in a WebApplicationFirewall security policy's associations"


def _covered(policies: tuple[Resource, ...]) -> tuple[set[str], list[str]]:
    """Lower-cased domain ids a WAF security policy covers, and the policies that could not be read."""
    covered: set[str] = set()
    unreadable: list[str] = []
    for policy in policies:
        params = lookup(policy, "properties.parameters")
        if not params.found or not isinstance(params.value, Mapping):
            unreadable.append(policy.name)
            continue
        waf = params.value.get("wafPolicy")
        if not equals("WebApplicationFirewall")(params.value.get("type")) or not isinstance(waf, Mapping):
            continue
        if not (isinstance(waf.get("id"), str) and waf["id"]):
            continue
        for association in list_at(params.value, "associations"):
            for domain in list_at(association, "domains"):
                if isinstance(domain, Mapping) and isinstance(domain.get("id"), str):
                    covered.add(domain["id"].lower().rstrip("/"))
    return covered, unreadable


@rule(
    id="NET-25",
    title="Front Door Standard/Premium endpoints protected by a WAF security policy",
    severity="high",
    resource_types=["Microsoft.Cdn/profiles"],
    reads=[ENDPOINTS, CUSTOM_DOMAINS, SECURITY_POLICIES],
    citations=["164.312(e)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "Front Door Standard/Premium applies a WAF policy only to the endpoints and custom domains a security "
        "policy associates; any other domain passes attacks straight to the applications serving ePHI."
    ),
    remediation=(
        "az afd security-policy create --profile-name <profile> --resource-group <rg> --security-policy-name waf "
        "--waf-policy <waf-policy-id> --domains <endpoint-id> <custom-domain-id>"
    ),
)
def check(profile: Resource, ctx: Context) -> Verdict:
    sku = lookup(profile, "sku.name")
    if not sku.found:
        return unknown("sku.name", "the profile's SKU was not in the input", EXPECTED)
    if not FRONT_DOOR_SKUS(sku.value):
        return Verdict(Status.NOT_APPLICABLE, "sku.name", sku.value, EXPECTED, "not an Azure Front Door profile")
    endpoints = ctx.children(profile, ENDPOINTS)
    domains = ctx.children(profile, CUSTOM_DOMAINS)
    policies = ctx.children(profile, SECURITY_POLICIES)
    if not policies.known:
        return unknown(PATH, "the profile's security policies were not in the input", EXPECTED)
    covered, unreadable = _covered(policies.items)
    targets = [*endpoints.items, *domains.items]
    exposed = sorted(t.name for t in targets if t.key not in covered)
    if exposed and unreadable:
        return Verdict(Status.UNKNOWN, PATH, exposed, EXPECTED, f"security policies not readable: {unreadable}")
    if exposed:
        return Verdict(Status.FAIL, PATH, exposed, EXPECTED, "endpoints or custom domains without a WAF policy")
    if not (endpoints.known and domains.known):
        return unknown(PATH, "the profile's endpoints or custom domains were not in the input", EXPECTED)
    if not targets:
        return Verdict(Status.NOT_APPLICABLE, PATH, [], EXPECTED, "the profile has no endpoints or custom domains")
    return Verdict(Status.PASS, PATH, [], EXPECTED)

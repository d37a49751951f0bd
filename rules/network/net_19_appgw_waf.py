from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Verdict,
    any_of,
    combine_all,
    equals,
    judge,
    lookup,
    non_empty,
    rule,
)


@rule(
    id="NET-19",
    title="Application Gateway is WAF_v2 with WAF attached",
    severity="high",
    resource_types=["Microsoft.Network/applicationGateways"],
    citations=["164.312(e)(1)", "164.308(a)(1)(ii)(B)", "164.308(a)(5)(ii)(B)"],
    rationale=(
        "A web application firewall in front of web apps that handle ePHI blocks injection and other "
        "OWASP Top 10 attacks before they reach the application."
    ),
    remediation=(
        "az network application-gateway update --name <agw> --resource-group <rg> --sku WAF_v2 "
        "--set firewallPolicy.id=<waf-policy-id>"
    ),
)
def check(gateway: Resource, _ctx: Context) -> Verdict:
    tier = judge(lookup(gateway, "properties.sku.tier"), equals("WAF_v2"))
    # No firewallPolicy and no webApplicationFirewallConfiguration means no WAF at all.
    waf = any_of(
        gateway,
        Check("properties.firewallPolicy.id", non_empty()),
        Check("properties.webApplicationFirewallConfiguration.enabled", equals(True)),
    )
    return combine_all([tier, waf])

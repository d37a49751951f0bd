from hipaa_scan.engine import (
    Check,
    Context,
    Expectation,
    Presence,
    Resource,
    Verdict,
    all_of,
    equals,
    lookup,
    not_applicable,
    rule,
    version_at_least,
)

WAF = "properties.webApplicationFirewallConfiguration"
NO_GROUPS = Expectation("is empty", lambda v: v == [])


@rule(
    id="NET-21",
    title="App Gateway legacy WAF config (if no policy): Prevention, OWASP >= 3.2, no disabled rule groups",
    severity="medium",
    resource_types=["Microsoft.Network/applicationGateways"],
    citations=["164.312(e)(1)", "164.308(a)(5)(ii)(B)"],
    rationale=(
        "A gateway protected by the legacy in-gateway WAF configuration blocks attacks on ePHI web applications "
        "only when it is enabled in Prevention mode with a current OWASP rule set and no rule groups switched off."
    ),
    remediation=(
        "Migrate to a WAF policy (az network application-gateway waf-policy create ... then "
        "az network application-gateway update --set firewallPolicy.id=<policy-id>), or "
        "az network application-gateway waf-config set --gateway-name <agw> --resource-group <rg> --enabled true "
        "--firewall-mode Prevention --rule-set-type OWASP --rule-set-version 3.2"
    ),
)
def check(gateway: Resource, _ctx: Context) -> Verdict:
    policy = lookup(gateway, "properties.firewallPolicy.id")
    if policy.presence is Presence.FOUND and policy.value:
        return not_applicable(
            "properties.firewallPolicy.id",
            policy.value,
            "a WAF policy is attached (evaluated by NET-20)",
            expected="no WAF policy attached, so the legacy configuration applies",
        )
    return all_of(
        gateway,
        # No legacy configuration and no policy means no WAF at all.
        Check(f"{WAF}.enabled", equals(True)),
        Check(f"{WAF}.firewallMode", equals("Prevention")),
        Check(f"{WAF}.ruleSetType", equals("OWASP")),
        Check(f"{WAF}.ruleSetVersion", version_at_least("3.2")),
        # ARM omits an empty disabledRuleGroups list, so absence means no group is disabled.
        Check(f"{WAF}.disabledRuleGroups", NO_GROUPS),
    )

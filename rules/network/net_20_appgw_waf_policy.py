from collections.abc import Mapping

from hipaa_scan.engine import (
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    combine_all,
    equals,
    judge,
    list_at,
    lookup,
    lookup_in,
    rule,
    unknown,
    version_at_least,
)

RULE_SETS = "properties.managedRules.managedRuleSets[]"
RULE_SETS_EXPECTED = "a managed rule set OWASP >= 3.2 or Microsoft_DefaultRuleSet >= 2.1"
MINIMUM = {"owasp": version_at_least("3.2"), "microsoft_defaultruleset": version_at_least("2.1")}


def _rule_sets(policy: Resource) -> Verdict:
    found = lookup(policy, "properties.managedRules.managedRuleSets")
    if found.presence in (Presence.NOT_COLLECTED, Presence.UNRESOLVED):
        return unknown(RULE_SETS, "managed rule sets were not in the input", RULE_SETS_EXPECTED)
    sets = [s for s in found.value if isinstance(s, Mapping)] if isinstance(found.value, list) else []
    observed = [f"{s.get('ruleSetType')} {s.get('ruleSetVersion')}" for s in sets]
    for rule_set in sets:
        kind = str(rule_set.get("ruleSetType", "")).lower()
        if kind in MINIMUM and MINIMUM[kind](rule_set.get("ruleSetVersion")):
            return Verdict(Status.PASS, RULE_SETS, observed, RULE_SETS_EXPECTED)
    return Verdict(Status.FAIL, RULE_SETS, observed, RULE_SETS_EXPECTED, "no current OWASP/DRS managed rule set")


def _disabled_rules(policy: Resource) -> list[str]:
    found = lookup(policy, "properties.managedRules.managedRuleSets")
    disabled: list[str] = []
    for rule_set in found.value if isinstance(found.value, list) else []:
        for group in list_at(rule_set, "ruleGroupOverrides"):
            for item in list_at(group, "rules"):
                if isinstance(item, Mapping) and equals("Disabled")(lookup_in(item, "state").value):
                    disabled.append(str(item.get("ruleId")))
    return disabled


@rule(
    id="NET-20",
    title="App Gateway WAF policy: enabled, Prevention mode, OWASP 3.2 / DRS 2.x",
    severity="high",
    resource_types=["Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"],
    citations=["164.312(e)(1)", "164.308(a)(5)(ii)(B)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A WAF policy that is disabled, only in Detection mode or on an outdated rule set logs attacks on "
        "ePHI web applications without blocking them."
    ),
    remediation=(
        "az network application-gateway waf-policy update --name <policy> --resource-group <rg> "
        "--policy-settings state=Enabled mode=Prevention; az network application-gateway waf-policy "
        "managed-rule rule-set add --policy-name <policy> --resource-group <rg> --type OWASP --version 3.2"
    ),
)
def check(policy: Resource, _ctx: Context) -> Verdict:
    state = judge(lookup(policy, "properties.policySettings.state"), equals("Enabled"))
    # A new WAF policy defaults to Detection mode, which does not block.
    mode = judge(lookup(policy, "properties.policySettings.mode"), equals("Prevention"), Status.FAIL)
    verdict = combine_all([state, mode, _rule_sets(policy)])
    disabled = _disabled_rules(policy)
    if verdict.status is Status.PASS and disabled:
        note = f"{len(disabled)} managed rules disabled by override ({', '.join(disabled)}); review them"
        return Verdict(verdict.status, verdict.path, verdict.observed, verdict.expected, note)
    return verdict

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
    lookup,
    one_of,
    rule,
    unknown,
)

RULE_SETS = "properties.managedRules.managedRuleSets[].ruleSetType"
DRS = one_of("DefaultRuleSet", "Microsoft_DefaultRuleSet")
RULE_SETS_EXPECTED = f"a managed rule set with ruleSetType {DRS.description}"


def _default_rule_set(policy: Resource) -> Verdict:
    found = lookup(policy, "properties.managedRules.managedRuleSets")
    if found.presence in (Presence.NOT_COLLECTED, Presence.UNRESOLVED):
        return unknown(RULE_SETS, "managed rule sets were not in the input", RULE_SETS_EXPECTED)
    # An absent managedRules block means no managed rules at all.
    types = [s.get("ruleSetType") for s in found.value if isinstance(s, Mapping)] if found.found else []
    ok = any(DRS(t) for t in types)
    message = "" if ok else "no Default Rule Set (managed rules need the Premium or Classic SKU)"
    return Verdict(Status.PASS if ok else Status.FAIL, RULE_SETS, types, RULE_SETS_EXPECTED, message)


@rule(
    id="NET-24",
    title="Front Door WAF policy enabled, Prevention mode, managed DRS",
    severity="high",
    resource_types=["Microsoft.Network/frontDoorWebApplicationFirewallPolicies"],
    citations=["164.312(e)(1)", "164.308(a)(5)(ii)(B)"],
    rationale=(
        "A Front Door WAF policy that is disabled, in Detection mode or without the managed Default Rule Set "
        "lets injection and other OWASP attacks on ePHI web applications through the edge unblocked."
    ),
    remediation=(
        "az network front-door waf-policy update --name <policy> --resource-group <rg> --disabled false "
        "--mode Prevention; az network front-door waf-policy managed-rules add --policy-name <policy> "
        "--resource-group <rg> --type Microsoft_DefaultRuleSet --version 2.1 --action Block"
    ),
)
def check(policy: Resource, _ctx: Context) -> Verdict:
    verdict = combine_all(
        [
            judge(lookup(policy, "properties.policySettings.enabledState"), equals("Enabled")),
            judge(lookup(policy, "properties.policySettings.mode"), equals("Prevention")),
            _default_rule_set(policy),
        ]
    )
    body_check = lookup(policy, "properties.policySettings.requestBodyCheck")
    if verdict.status is Status.PASS and body_check.found and equals("Disabled")(body_check.value):
        note = "requestBodyCheck is Disabled, so request bodies are not inspected; enable it"
        return Verdict(verdict.status, verdict.path, verdict.observed, verdict.expected, note)
    return verdict

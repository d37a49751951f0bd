from hipaa_scan.engine import (
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    equals,
    judge,
    lookup,
    rule,
    unknown,
)

MODE = "properties.threatIntelMode"
DENY = equals("Deny")
FIREWALLS = "microsoft.network/azurefirewalls"


def _judge_mode(source: Resource, label: str) -> Verdict:
    # Threat intelligence defaults to Alert, which only logs traffic to known-malicious addresses.
    verdict = judge(lookup(source, MODE), DENY, Status.FAIL)
    message = verdict.message
    if verdict.status is Status.FAIL and equals("Alert")(verdict.observed):
        message = "partial: threat intelligence only alerts; set it to Deny to block"
    return Verdict(verdict.status, f"{label}{verdict.path}", verdict.observed, verdict.expected, message)


@rule(
    id="NET-16",
    title="Firewall threat intelligence mode Deny",
    severity="medium",
    resource_types=["Microsoft.Network/firewallPolicies", "Microsoft.Network/azureFirewalls"],
    citations=["164.308(a)(5)(ii)(B)", "164.308(a)(6)(ii)"],
    rationale=(
        "In Deny mode Azure Firewall blocks traffic to and from addresses and domains Microsoft threat "
        "intelligence knows to be malicious, stopping malware callbacks and exfiltration of ePHI."
    ),
    remediation=(
        "az network firewall policy update --name <policy> --resource-group <rg> --threat-intel-mode Deny "
        "(classic rules: az network firewall update --name <fw> --resource-group <rg> --threat-intel-mode Deny)"
    ),
)
def check(resource: Resource, ctx: Context) -> Verdict:
    if resource.type_key == FIREWALLS:
        # A firewall managed by a Firewall Policy takes its threat intelligence mode from the policy.
        policy_id = lookup(resource, "properties.firewallPolicy.id")
        if policy_id.presence in (Presence.FOUND, Presence.UNRESOLVED):
            policy = ctx.get(policy_id.value) if isinstance(policy_id.value, str) else None
            if policy is None:
                return unknown(
                    f"properties.firewallPolicy -> {MODE}",
                    "the firewall's policy was not in the input or is unresolved",
                    f"{MODE} {DENY.description} on the attached firewall policy",
                )
            return _judge_mode(policy, "properties.firewallPolicy -> ")
    return _judge_mode(resource, "")

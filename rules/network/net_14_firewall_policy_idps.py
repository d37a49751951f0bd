from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Status,
    Verdict,
    all_of,
    equals,
    lookup,
    rule,
)

MODE = "properties.intrusionDetection.mode"


@rule(
    id="NET-14",
    title="Firewall Policy Premium with IDPS in Deny mode",
    severity="high",
    resource_types=["Microsoft.Network/firewallPolicies"],
    citations=["164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)", "164.308(a)(5)(ii)(B)", "164.312(b)"],
    rationale=(
        "IDPS in Deny mode blocks known exploit and malware signatures on traffic to ePHI systems; "
        "Alert mode only logs them, leaving the attack to proceed."
    ),
    remediation="az network firewall policy update --name <policy> --resource-group <rg> --sku Premium --idps-mode Deny",
)
def check(policy: Resource, _ctx: Context) -> Verdict:
    # IDPS is off unless configured, so an absent mode is a failure.
    verdict = all_of(
        policy,
        Check("properties.sku.tier", equals("Premium")),
        Check(MODE, equals("Deny")),
    )
    if verdict.status is Status.FAIL and verdict.path == MODE and equals("Alert")(verdict.observed):
        return Verdict(
            Status.FAIL,
            MODE,
            verdict.observed,
            verdict.expected,
            "partial: IDPS only alerts; set mode to Deny to block",
        )
    if verdict.status is Status.PASS:
        bypass = lookup(policy, "properties.intrusionDetection.configuration.bypassTrafficSettings")
        if bypass.found and isinstance(bypass.value, list) and bypass.value:
            note = f"IDPS bypass list is not empty ({len(bypass.value)} entries); review it"
            return Verdict(verdict.status, verdict.path, verdict.observed, verdict.expected, note)
    return verdict

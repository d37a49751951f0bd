from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    Context,
    Presence,
    Resource,
    Verdict,
    combine_all,
    judge,
    lookup,
    lookup_in,
    one_of,
    rule,
    unknown,
)

STRONG_PREDEFINED = one_of("AppGwSslPolicy20220101S", "AppGwSslPolicy20220101")
MIN_TLS = one_of("TLSv1_2", "TLSv1_3")
CUSTOM = one_of("Custom", "CustomV2")
EXPECTED = (
    f"sslPolicy: Predefined policyName {STRONG_PREDEFINED.description} "
    f"or Custom/CustomV2 minProtocolVersion {MIN_TLS.description}"
)


def _judge_policy(holder: Mapping[str, Any], prefix: str) -> Verdict:
    """Judge the sslPolicy at ``holder[properties].sslPolicy``; ``prefix`` names it in the verdict."""
    kind = lookup_in(holder, "properties.sslPolicy.policyType")
    if kind.found and CUSTOM(kind.value):
        verdict = judge(lookup_in(holder, "properties.sslPolicy.minProtocolVersion"), MIN_TLS)
    elif kind.presence is Presence.UNRESOLVED:
        verdict = judge(kind, CUSTOM)
    elif kind.found or lookup_in(holder, "properties.sslPolicy.policyName").presence is not Presence.MISSING:
        verdict = judge(lookup_in(holder, "properties.sslPolicy.policyName"), STRONG_PREDEFINED)
    else:
        # With no sslPolicy the gateway gets the default of the API version it was created with:
        # AppGwSslPolicy20150501 (TLS 1.0) before 2023-02-01, AppGwSslPolicy20220101 since.
        verdict = unknown("properties.sslPolicy", "no sslPolicy; the default depends on the creation API version")
    return Verdict(verdict.status, f"{prefix}{verdict.path}", verdict.observed, EXPECTED, verdict.message)


@rule(
    id="NET-22",
    title="App Gateway TLS policy: TLS 1.2+ with strong ciphers",
    severity="medium",
    resource_types=["Microsoft.Network/applicationGateways"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale=(
        "The gateway's TLS policy decides which protocol versions and ciphers protect ePHI between clients and "
        "the gateway; older predefined policies still accept TLS 1.0/1.1 and weak CBC ciphers."
    ),
    remediation=(
        "az network application-gateway ssl-policy set --gateway-name <agw> --resource-group <rg> "
        "--policy-type Predefined --name AppGwSslPolicy20220101S (and the same for every SSL profile)"
    ),
)
def check(gateway: Resource, _ctx: Context) -> Verdict:
    if lookup(gateway, "properties").presence is Presence.NOT_COLLECTED:
        return unknown("properties.sslPolicy", "properties were not in the input", EXPECTED)
    verdicts = [_judge_policy(gateway.raw, "")]
    # Per-listener SSL profiles override the gateway policy; a profile without sslPolicy inherits it.
    profiles = lookup(gateway, "properties.sslProfiles")
    for profile in profiles.value if isinstance(profiles.value, list) else []:
        if isinstance(profile, Mapping) and lookup_in(profile, "properties.sslPolicy").presence is not Presence.MISSING:
            verdicts.append(_judge_policy(profile, f"properties.sslProfiles[{profile.get('name')}]."))
    return combine_all(verdicts)

from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    BreakGlass,
    CaPolicy,
    Context,
    PolicyCheck,
    Resource,
    Status,
    Verdict,
    break_glass,
    conditional_access,
    fails,
    graph_list,
    judge_policies,
    rule,
)
from hipaa_scan.entra import CONDITIONAL_ACCESS_POLICIES, DEVICE_COMPLIANCE_POLICIES, TENANT_TYPE

PATH = f"graph.{CONDITIONAL_ACCESS_POLICIES}[].grantControls & graph.{DEVICE_COMPLIANCE_POLICIES}[].assignments"
EXPECTED = (
    "an enabled Conditional Access policy for all users (excluding only break-glass accounts) and all apps or "
    "the PHI apps that requires compliantDevice or domainJoinedDevice (not as an OR alternative to other "
    "controls), and at least one assigned Intune device compliance policy"
)


def _requires_device(policy: CaPolicy, accounts: BreakGlass) -> PolicyCheck:
    if not policy.all_users:
        return fails("does not include all users")
    if not policy.include_apps or policy.include_apps <= {"none"}:
        return fails("targets no apps")
    if not policy.requires_managed_device:
        return fails(f"grant controls do not require a compliant or hybrid-joined device ({policy.grant_summary})")
    return policy.applies_everywhere(accounts)


def _assigned(policies: list[Mapping[str, Any]]) -> tuple[list[str], bool]:
    """Names of compliance policies with assignments, and whether assignments were collected at all."""
    names = [
        str(p.get("displayName") or p.get("id"))
        for p in policies
        if isinstance(p.get("assignments"), list) and p["assignments"]
    ]
    return sorted(names), any("assignments" in p for p in policies)


@rule(
    id="ID-18",
    title="Conditional Access requires a compliant (or hybrid-joined) device for PHI apps",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=[
        "Microsoft.Graph/conditionalAccessPolicies",
        "Microsoft.Graph/deviceCompliancePolicies",
        "Microsoft.Graph/users",
    ],
    citations=["164.310(b)", "164.310(c)", "164.312(a)(1)"],
    rationale=(
        "Workstation use and security: ePHI should be reachable only from managed devices that meet the "
        "organisation's encryption, patch and screen-lock baseline. 'Require MFA OR compliant device' lets an "
        "unmanaged personal device through with MFA, and the device grant means nothing unless compliance "
        "policies are assigned (Intune otherwise marks devices without a policy compliant by default)."
    ),
    remediation=(
        "Intune admin center > Devices > Compliance: assign a compliance policy per platform (encryption, "
        "password, minimum OS) to all devices or users; then Entra admin center > Protection > Conditional "
        "Access > Create new policy from templates > 'Require compliant or hybrid Azure AD joined device': "
        "Users All users (exclude only break-glass accounts), Target resources All resources (or the EHR/PHI "
        "apps), Grant 'Require device to be marked as compliant' with 'Require all the selected controls' when "
        "combined with MFA, Enable policy On."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    policies = conditional_access(tenant, EXPECTED)
    if isinstance(policies, Verdict):
        return policies
    accounts = break_glass(ctx.settings, tenant)
    verdict = judge_policies(policies, lambda p: _requires_device(p, accounts), PATH, EXPECTED)
    if verdict.status is not Status.PASS:
        return verdict
    passing = [p for p in policies if p.enabled and p.name in verdict.observed]
    scope = "all apps"
    if not any(p.all_apps for p in passing):
        apps = sorted({a for p in passing for a in p.include_apps} - {"all"})
        excluded = sorted({a for p in passing for a in p.exclude_apps})
        scope = f"only apps {apps}" if apps else f"all apps except {excluded}"
    compliance = graph_list(tenant, DEVICE_COMPLIANCE_POLICIES, EXPECTED)
    if isinstance(compliance, Verdict):
        return Verdict(
            Status.UNKNOWN, PATH, verdict.observed, EXPECTED, f"device grant covers {scope}; {compliance.message}"
        )
    assigned, collected = _assigned(compliance)
    observed = {"policies": verdict.observed, "assigned_compliance_policies": assigned}
    if assigned:
        return Verdict(Status.PASS, PATH, observed, EXPECTED, f"device grant covers {scope}")
    if compliance and not collected:
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, "compliance policy assignments were not collected")
    return Verdict(Status.FAIL, PATH, observed, EXPECTED, "no device compliance policy is assigned")

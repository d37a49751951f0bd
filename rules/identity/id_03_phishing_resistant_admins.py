from hipaa_scan.engine import (
    PHISHING_RESISTANT_MFA,
    BreakGlass,
    CaPolicy,
    Context,
    PolicyCheck,
    Resource,
    Verdict,
    break_glass,
    conditional_access,
    fails,
    judge_policies,
    rule,
)
from hipaa_scan.entra import CONDITIONAL_ACCESS_POLICIES, GLOBAL_ADMINISTRATOR, TENANT_TYPE

PATH = f"graph.{CONDITIONAL_ACCESS_POLICIES}[]"
EXPECTED = (
    "an enabled Conditional Access policy whose users include the privileged directory roles (at least Global "
    f"Administrator {GLOBAL_ADMINISTRATOR}) for all apps, requiring authentication strength "
    f"{PHISHING_RESISTANT_MFA} (Phishing-resistant MFA), excluding only break-glass accounts"
)


def _phishing_resistant_for_admins(policy: CaPolicy, accounts: BreakGlass) -> PolicyCheck:
    if not policy.covers_role(GLOBAL_ADMINISTRATOR):
        return fails("does not target the Global Administrator role")
    if not policy.all_apps:
        return fails("does not cover all apps")
    if not policy.requires_strength(PHISHING_RESISTANT_MFA):
        return fails(f"does not require the Phishing-resistant MFA strength ({policy.grant_summary})")
    return policy.applies_everywhere(accounts)


@rule(
    id="ID-03",
    title="Phishing-resistant MFA for administrators",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/conditionalAccessPolicies", "Microsoft.Graph/users"],
    citations=["164.312(d)", "164.308(a)(4)(ii)(B)"],
    rationale=(
        "Administrators can grant themselves access to every ePHI system; adversary-in-the-middle phishing kits "
        "relay passwords, codes and push approvals, so privileged sign-ins need FIDO2, Windows Hello for Business "
        "or certificate-based authentication."
    ),
    remediation=(
        "Entra admin center > Protection > Conditional Access > Create new policy from templates > 'Require "
        "phishing-resistant multifactor authentication for administrators': Users > Directory roles (at least "
        "Global Administrator and the other privileged roles; exclude only the break-glass accounts), Target "
        "resources All resources, Grant 'Require authentication strength' = 'Phishing-resistant MFA' "
        "(00000000-0000-0000-0000-000000000004), Enable policy On."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    policies = conditional_access(tenant, EXPECTED)
    if isinstance(policies, Verdict):
        return policies
    accounts = break_glass(ctx.settings, tenant)
    return judge_policies(policies, lambda p: _phishing_resistant_for_admins(p, accounts), PATH, EXPECTED)

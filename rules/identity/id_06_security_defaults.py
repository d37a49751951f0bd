from hipaa_scan.engine import (
    Context,
    Resource,
    Verdict,
    break_glass,
    mfa_policy_check,
    policy_or_security_defaults,
    rule,
)
from hipaa_scan.entra import TENANT_TYPE

EXPECTED = (
    "security defaults isEnabled == true, or Conditional Access in use with an enabled policy that requires MFA "
    "for all users and all apps (excluding only break-glass accounts)"
)


@rule(
    id="ID-06",
    title="Security defaults on when Conditional Access is not used",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/conditionalAccessPolicies", "Microsoft.Graph/securityDefaults", "Microsoft.Graph/users"],
    citations=["164.312(d)"],
    rationale=(
        "A tenant needs a baseline that forces MFA and blocks legacy authentication: either security defaults "
        "or Conditional Access policies that do the same. Turning security defaults off without replacing them "
        "leaves every account protected by its password alone."
    ),
    remediation=(
        "Entra admin center > Overview > Properties > Manage security defaults > Enabled; or, with Entra ID P1, "
        "create the Conditional Access policy 'Require multifactor authentication for all users' (see ID-01) "
        "before security defaults are turned off. Graph: az rest --method patch --url "
        "https://graph.microsoft.com/v1.0/policies/identitySecurityDefaultsEnforcementPolicy "
        "--body '{\"isEnabled\": true}'"
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    accounts = break_glass(ctx.settings, tenant)
    return policy_or_security_defaults(
        tenant,
        lambda policy: mfa_policy_check(policy, accounts),
        EXPECTED,
        "enforce MFA registration and challenges and block legacy authentication",
    )

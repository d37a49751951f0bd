from hipaa_scan.engine import (
    AZURE_MANAGEMENT_APP,
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
    f"security defaults on, or an enabled Conditional Access policy for all users covering 'All' apps or "
    f"{AZURE_MANAGEMENT_APP} (Windows Azure Service Management API) that requires MFA, excluding only "
    "break-glass accounts"
)


@rule(
    id="ID-04",
    title="MFA required for Azure management (ARM/portal)",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/conditionalAccessPolicies", "Microsoft.Graph/securityDefaults", "Microsoft.Graph/users"],
    citations=["164.312(d)"],
    rationale=(
        "The Azure portal, CLI and PowerShell (Azure Resource Manager) can change every ePHI store's "
        "configuration, keys and network exposure; a password alone must never be enough to reach them."
    ),
    remediation=(
        "Entra admin center > Protection > Conditional Access > Create new policy from templates > 'Require "
        "multifactor authentication for Azure management': Users All users (exclude only the break-glass "
        "accounts), Target resources 'Windows Azure Service Management API' (797f4846-ba00-4fd7-ba43-dac1f8f63013), "
        "Grant 'Require multifactor authentication', Enable policy On; or turn on security defaults."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    accounts = break_glass(ctx.settings, tenant)
    return policy_or_security_defaults(
        tenant,
        lambda policy: mfa_policy_check(policy, accounts, app=AZURE_MANAGEMENT_APP),
        EXPECTED,
        "require MFA for every Azure Resource Manager sign-in",
    )

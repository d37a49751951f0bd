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
    "security defaults on, or an enabled Conditional Access policy for all users and all apps that requires MFA "
    "(or an MFA authentication strength) unconditionally and excludes only the break-glass accounts"
)


@rule(
    id="ID-01",
    title="Conditional Access requires MFA for all users",
    severity="critical",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/conditionalAccessPolicies", "Microsoft.Graph/securityDefaults", "Microsoft.Graph/users"],
    citations=["164.312(d)", "164.308(a)(5)(ii)(D)"],
    rationale=(
        "Person or entity authentication: a stolen or sprayed password alone must not open any application that "
        "holds ePHI. Only an enforced policy counts; a report-only policy, a policy for some users or apps, or an "
        "MFA requirement that an OR'd alternative control can satisfy leaves accounts protected by a password."
    ),
    remediation=(
        "Entra admin center > Protection > Conditional Access > Create new policy from templates > 'Require "
        "multifactor authentication for all users': Users All users (exclude only the break-glass accounts), "
        "Target resources All resources, Grant 'Require multifactor authentication', Enable policy On. Or: "
        "az rest --method post --url https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies --body "
        '\'{"displayName":"Require MFA for all users","state":"enabled","conditions":{"clientAppTypes":["all"],'
        '"users":{"includeUsers":["All"],"excludeUsers":["<break-glass object ids>"]},'
        '"applications":{"includeApplications":["All"]}},"grantControls":{"operator":"OR","builtInControls":["mfa"]}}\''
        ". Tenants without Entra ID P1 turn on security defaults instead (Entra admin center > Overview > "
        "Properties > Manage security defaults)."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    accounts = break_glass(ctx.settings, tenant)
    return policy_or_security_defaults(
        tenant,
        lambda policy: mfa_policy_check(policy, accounts),
        EXPECTED,
        "require every user to register for and perform MFA",
    )

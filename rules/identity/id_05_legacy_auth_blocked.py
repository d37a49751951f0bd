from hipaa_scan.engine import (
    BreakGlass,
    CaPolicy,
    Context,
    PolicyCheck,
    Resource,
    Verdict,
    break_glass,
    fails,
    policy_or_security_defaults,
    rule,
)
from hipaa_scan.entra import TENANT_TYPE

LEGACY_CLIENTS = frozenset({"exchangeactivesync", "other"})
EXPECTED = (
    "security defaults on, or an enabled Conditional Access policy for all users and all apps with clientAppTypes "
    "including exchangeActiveSync and other and grant 'block', excluding only break-glass accounts"
)


def _blocks_legacy(policy: CaPolicy, accounts: BreakGlass) -> PolicyCheck:
    if not policy.blocks:
        return fails(f"does not block ({policy.grant_summary})")
    if not policy.all_users:
        return fails("does not include all users")
    if not policy.all_apps:
        return fails("does not cover all apps")
    if "all" not in policy.client_app_types and not policy.client_app_types >= LEGACY_CLIENTS:
        return fails(f"clientAppTypes {sorted(policy.client_app_types)} miss exchangeActiveSync or other")
    return policy.applies_everywhere(accounts, ignore=["clientAppTypes"])


@rule(
    id="ID-05",
    title="Legacy authentication blocked",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/conditionalAccessPolicies", "Microsoft.Graph/securityDefaults", "Microsoft.Graph/users"],
    citations=["164.312(d)", "164.308(a)(5)(ii)(D)"],
    rationale=(
        "Legacy protocols (POP, IMAP, SMTP AUTH, Exchange ActiveSync basic auth) cannot perform MFA, so they "
        "bypass every MFA policy and are the main target of password spraying against mailboxes that hold ePHI."
    ),
    remediation=(
        "Entra admin center > Protection > Conditional Access > Create new policy from templates > 'Block legacy "
        "authentication': Users All users (exclude only the break-glass accounts), Target resources All "
        "resources, Conditions > Client apps 'Exchange ActiveSync clients' and 'Other clients', Grant 'Block "
        "access', Enable policy On (not Report-only); or turn on security defaults."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    accounts = break_glass(ctx.settings, tenant)
    return policy_or_security_defaults(
        tenant,
        lambda policy: _blocks_legacy(policy, accounts),
        EXPECTED,
        "block legacy authentication",
    )

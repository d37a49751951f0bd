from hipaa_scan.engine import SUBSCRIPTION_TYPE, Context, Resource, Verdict, defender_plan, rule


@rule(
    id="DEF-07",
    title="Defender for Key Vault on",
    severity="medium",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(6)(ii)", "164.308(a)(5)(ii)(C)"],
    rationale=(
        "Defender for Key Vault alerts on unusual access to the vaults holding the keys and secrets that "
        "protect ePHI, such as access from suspicious IPs or mass secret reads."
    ),
    remediation="az security pricing create --name KeyVaults --tier Standard",
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    return defender_plan(subscription, ctx, "KeyVaults")

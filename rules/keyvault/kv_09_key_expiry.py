from hipaa_scan.engine import Context, Resource, Status, Verdict, judge, later_than, lookup, rule


@rule(
    id="KV-09",
    title="Key Vault keys have an expiration date",
    severity="medium",
    resource_types=["Microsoft.KeyVault/vaults/keys"],
    citations=["164.312(a)(2)(iv)", "164.308(a)(4)(ii)(C)"],
    rationale=(
        "An expiration date bounds how long one key can encrypt ePHI and forces a review of keys "
        "that are no longer needed; a key that never expires is rarely rotated."
    ),
    remediation="az keyvault key set-attributes --vault-name <vault> --name <key> --expires <YYYY-MM-DDTHH:MM:SSZ> (or rotate to a new version with an expiry)",
)
def check(key: Resource, ctx: Context) -> Verdict:
    # No exp attribute means the key never expires (Azure Policy: non-compliant).
    return judge(lookup(key, "properties.attributes.exp"), later_than(ctx.now), Status.FAIL)

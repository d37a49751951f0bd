from hipaa_scan.engine import Context, Resource, Status, Verdict, judge, later_than, lookup, rule


@rule(
    id="KV-11",
    title="Key Vault secrets have an expiration date",
    severity="medium",
    resource_types=["Microsoft.KeyVault/vaults/secrets"],
    citations=["164.308(a)(5)(ii)(D)", "164.308(a)(4)(ii)(C)"],
    rationale=(
        "Secrets such as database passwords and connection strings grant access to ePHI; an expiration date "
        "forces them to be rotated instead of living forever in scripts and configuration."
    ),
    remediation="az keyvault secret set-attributes --vault-name <vault> --name <secret> --expires <YYYY-MM-DDTHH:MM:SSZ> (after rotating the credential)",
)
def check(secret: Resource, ctx: Context) -> Verdict:
    # No exp attribute means the secret never expires (Azure Policy: non-compliant).
    return judge(lookup(secret, "properties.attributes.exp"), later_than(ctx.now), Status.FAIL)

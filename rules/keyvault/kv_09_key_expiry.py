from hipaa_scan.engine import Context, Expectation, Resource, Status, Verdict, judge, lookup, rule


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
    now = ctx.now.timestamp()
    in_future = Expectation(
        f"set (epoch seconds) and later than the scan time {ctx.now.isoformat(timespec='seconds')}",
        lambda v: not isinstance(v, bool) and float(v) > now,
    )
    # No exp attribute means the key never expires (Azure Policy: non-compliant).
    return judge(lookup(key, "properties.attributes.exp"), in_future, Status.FAIL)

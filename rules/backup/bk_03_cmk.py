from hipaa_scan.engine import Context, Resource, Status, Verdict, equals, judge, lookup, non_empty, rule

ENCRYPTION = "properties.encryption"


@rule(
    id="BK-03",
    title="Recovery Services vault encrypted with CMK (+ infrastructure encryption)",
    severity="medium",
    resource_types=["Microsoft.RecoveryServices/vaults"],
    citations=["164.312(a)(2)(iv)", "164.308(a)(7)(ii)(A)"],
    rationale=(
        "A customer-managed key keeps control of the key protecting backup copies of ePHI with the organisation, "
        "which can rotate or revoke it independently of Microsoft."
    ),
    remediation=(
        "az backup vault encryption update --name <vault> --resource-group <rg> --encryption-key-id <key-uri> "
        "--mi-user-assigned <identity-id> (set --infrastructure-encryption Enabled before protecting any item)"
    ),
)
def check(vault: Resource, _ctx: Context) -> Verdict:
    # Without an encryption block the vault uses platform-managed keys.
    verdict = judge(lookup(vault, f"{ENCRYPTION}.keyVaultProperties.keyUri"), non_empty(), Status.FAIL)
    infrastructure = lookup(vault, f"{ENCRYPTION}.infrastructureEncryption")
    if verdict.status is Status.PASS and not equals("Enabled")(infrastructure.value):
        note = "infrastructure (double) encryption is not enabled; it can only be set before items are protected"
        return Verdict(verdict.status, verdict.path, verdict.observed, verdict.expected, note)
    return verdict

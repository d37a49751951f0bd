from hipaa_scan.engine import Context, Resource, Verdict, diagnostic_logs, rule


@rule(
    id="KV-12",
    title="Key Vault audit (AuditEvent) logs sent to a destination",
    severity="high",
    resource_types=["Microsoft.KeyVault/vaults"],
    reads=["Microsoft.Insights/diagnosticSettings"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale="AuditEvent logs record every access to the keys and secrets protecting ePHI, which 164.312(b) requires to be examinable.",
    remediation=(
        "az monitor diagnostic-settings create --name kv-audit --resource <vault-id> --workspace <workspace-id> "
        '--logs \'[{"categoryGroup":"audit","enabled":true}]\''
    ),
)
def check(vault: Resource, ctx: Context) -> Verdict:
    return diagnostic_logs(vault, ctx, categories=["AuditEvent"])

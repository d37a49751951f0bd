from hipaa_scan.engine import Context, Resource, Verdict, diagnostic_logs, rule


@rule(
    id="FHIR-07",
    title="FHIR audit logs exported",
    severity="high",
    resource_types=["Microsoft.HealthcareApis/services", "Microsoft.HealthcareApis/workspaces/fhirservices"],
    reads=["Microsoft.Insights/diagnosticSettings"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "FHIR AuditLogs record every read and write of patient resources; exporting them is how access to "
        "ePHI in the FHIR service can be examined."
    ),
    remediation=(
        "az monitor diagnostic-settings create --name fhir-audit --resource <fhir-id> --workspace <workspace-id> "
        '--logs \'[{"category":"AuditLogs","enabled":true}]\''
    ),
)
def check(fhir: Resource, ctx: Context) -> Verdict:
    return diagnostic_logs(fhir, ctx, categories=["AuditLogs"])

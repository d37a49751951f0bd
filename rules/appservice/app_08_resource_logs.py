from hipaa_scan.engine import Context, Resource, Verdict, diagnostic_logs, rule


@rule(
    id="APP-08",
    title="App Service resource/HTTP logs enabled",
    severity="medium",
    resource_types=["Microsoft.Web/sites"],
    reads=["Microsoft.Insights/diagnosticSettings"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "HTTP, audit and console logs exported from the app record who requested which ePHI and when, so "
        "activity in the application can be examined."
    ),
    remediation=(
        "az monitor diagnostic-settings create --name app-logs --resource <app-id> --workspace <workspace-id> "
        '--logs \'[{"category":"AppServiceHTTPLogs","enabled":true},{"category":"AppServiceAuditLogs","enabled":true}]\''
    ),
)
def check(site: Resource, ctx: Context) -> Verdict:
    return diagnostic_logs(site, ctx, categories=["AppServiceHTTPLogs", "AppServiceAuditLogs", "AppServiceConsoleLogs"])

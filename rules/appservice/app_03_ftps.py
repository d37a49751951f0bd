from hipaa_scan.engine import Check, Context, Resource, Verdict, one_of, rule, web_config


@rule(
    id="APP-03",
    title="App Service FTP disabled (or FTPS only)",
    severity="medium",
    resource_types=["Microsoft.Web/sites"],
    reads=["Microsoft.Web/sites/config"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)"],
    rationale=(
        "Plain FTP sends deployment credentials and files, which may contain ePHI or secrets, unencrypted; "
        "allow FTPS only, or disable FTP entirely."
    ),
    remediation="az webapp config set --name <app> --resource-group <rg> --ftps-state Disabled",
)
def check(site: Resource, ctx: Context) -> Verdict:
    return web_config(
        site,
        ctx,
        [Check("properties.ftpsState", one_of("Disabled", "FtpsOnly"))],
    )

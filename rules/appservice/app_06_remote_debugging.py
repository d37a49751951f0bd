from hipaa_scan.engine import Check, Context, Resource, Verdict, equals, rule, web_config


@rule(
    id="APP-06",
    title="App Service remote debugging disabled",
    severity="low",
    resource_types=["Microsoft.Web/sites"],
    reads=["Microsoft.Web/sites/config"],
    citations=["164.312(a)(1)"],
    rationale=(
        "Remote debugging opens extra inbound ports and lets a debugger read process memory, including ePHI "
        "the app is handling; it should be off outside short, supervised troubleshooting."
    ),
    remediation="az webapp config set --name <app> --resource-group <rg> --remote-debugging-enabled false",
)
def check(site: Resource, ctx: Context) -> Verdict:
    return web_config(
        site,
        ctx,
        [Check("properties.remoteDebuggingEnabled", equals(False))],
    )

from hipaa_scan.engine import (
    Check,
    Context,
    Expectation,
    Resource,
    Status,
    Verdict,
    rule,
    web_config,
)

NO_WILDCARD = Expectation("does not contain '*'", lambda v: isinstance(v, list) and "*" not in v)


@rule(
    id="APP-09",
    title="App Service CORS does not allow '*'",
    severity="low",
    resource_types=["Microsoft.Web/sites"],
    reads=["Microsoft.Web/sites/config"],
    citations=["164.312(a)(1)"],
    rationale=(
        "A wildcard CORS origin lets script on any website call the app from a signed-in user's browser, "
        "widening who can reach the ePHI the app serves."
    ),
    remediation=(
        "az webapp cors remove --name <app> --resource-group <rg> --allowed-origins '*' && "
        "az webapp cors add --name <app> --resource-group <rg> --allowed-origins https://<trusted-origin>"
    ),
)
def check(site: Resource, ctx: Context) -> Verdict:
    return web_config(
        site,
        ctx,
        # config/web is the app's whole configuration: no cors block (ARM returns null) means no
        # cross-origin caller is allowed. Unexported config still gives unknown via web_config.
        [Check("properties.cors.allowedOrigins", NO_WILDCARD, when_missing=Status.PASS)],
    )

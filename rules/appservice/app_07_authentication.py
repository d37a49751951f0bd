from hipaa_scan.engine import Context, Resource, Status, Verdict, combine_all, equals, judge, lookup, rule, unknown

CONFIG = "Microsoft.Web/sites/config"
PATH = f"{CONFIG}/authsettingsV2: properties.platform.enabled & properties.globalValidation.requireAuthentication"
EXPECTED = "platform.enabled == true AND globalValidation.requireAuthentication == true (authsettingsV2)"


@rule(
    id="APP-07",
    title="App Service authentication (Easy Auth / Entra) enabled",
    severity="medium",
    resource_types=["Microsoft.Web/sites"],
    reads=[CONFIG],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "With App Service authentication on and required, no request reaches an app that serves ePHI until the "
        "caller has signed in with an identity provider such as Entra ID (Azure Policy 95bccee9 and c75248c1). "
        "An app that authenticates users in its own code fails here and needs attestation. The settings are the "
        "site's config/authsettingsV2 (or the legacy config/authsettings), which the config listing does not "
        "return; without them the result is unknown."
    ),
    remediation=(
        "az webapp auth update --name <app> --resource-group <rg> --enabled true --action RedirectToLoginPage "
        "(or Return401), then az webapp auth microsoft update --name <app> --resource-group <rg> --client-id "
        "<app-registration-id> --issuer https://login.microsoftonline.com/<tenant-id>/v2.0"
    ),
)
def check(site: Resource, ctx: Context) -> Verdict:
    configs = {c.name.lower(): c for c in ctx.children(site, CONFIG).items}
    v2 = configs.get("authsettingsv2")
    if v2 is not None:
        verdict = combine_all(
            [
                # Authentication is off, and anonymous requests allowed, unless configured.
                judge(lookup(v2, "properties.platform.enabled"), equals(True), Status.FAIL),
                judge(lookup(v2, "properties.globalValidation.requireAuthentication"), equals(True), Status.FAIL),
            ]
        )
        return Verdict(verdict.status, PATH, verdict.observed, EXPECTED, verdict.message)
    v1 = configs.get("authsettings")
    if v1 is not None:
        # Legacy settings: enabled, and unauthenticated callers sent to log in rather than allowed through.
        verdict = combine_all(
            [
                judge(lookup(v1, "properties.enabled"), equals(True), Status.FAIL),
                judge(lookup(v1, "properties.unauthenticatedClientAction"), equals("RedirectToLoginPage"), Status.FAIL),
            ]
        )
        return Verdict(
            verdict.status, f"{CONFIG}/authsettings: {verdict.path}", verdict.observed, EXPECTED, verdict.message
        )
    return unknown(
        PATH, "the site's config/authsettingsV2 was not in the input (az webapp auth show exports it)", EXPECTED
    )

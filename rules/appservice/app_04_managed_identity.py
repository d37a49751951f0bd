from hipaa_scan.engine import Context, Expectation, Resource, Status, Verdict, judge, lookup, rule, unknown

PATH = "identity.type"
IDENTITY = Expectation(
    "contains 'SystemAssigned' or 'UserAssigned'",
    lambda v: any(kind in str(v).lower() for kind in ("systemassigned", "userassigned")),
)


@rule(
    id="APP-04",
    title="App Service uses a managed identity",
    severity="low",
    resource_types=["Microsoft.Web/sites"],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "A managed identity gives the app its own Entra ID identity to reach databases, storage and Key Vault "
        "holding ePHI, instead of shared secrets in configuration that can leak or be reused."
    ),
    remediation="az webapp identity assign --name <app> --resource-group <rg>",
)
def check(site: Resource, _ctx: Context) -> Verdict:
    found = lookup(site, PATH)
    if not found.found and not site.properties_collected:
        # A thin listing may also drop the top-level identity block.
        return unknown(PATH, "the resource was not fully exported", IDENTITY.description)
    # No identity block means the app has no managed identity.
    return judge(found, IDENTITY, Status.FAIL)

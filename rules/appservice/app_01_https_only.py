from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="APP-01",
    title="App Service / Function app HTTPS only",
    severity="high",
    resource_types=["Microsoft.Web/sites"],
    # TLS is authenticated encryption: a modified record fails its check, so
    # enforcing it is also an integrity control for ePHI in transit.
    citations=["164.312(e)(1)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)"],
    rationale="Without HTTPS-only, clients can send ePHI and session tokens to the app over unencrypted HTTP.",
    remediation="az webapp update --name <app> --resource-group <rg> --https-only true",
    # httpsOnly defaults to false.
    checks=[Check("properties.httpsOnly", equals(True))],
)

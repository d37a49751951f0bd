from hipaa_scan.engine import Check, Status, equals, property_rule, version_at_least

RULE = property_rule(
    id="OTH-01",
    title="Azure Cache for Redis: non-TLS port disabled, TLS 1.2, no public access",
    severity="medium",
    resource_types=["Microsoft.Cache/Redis"],
    citations=["164.312(e)(1)", "164.312(e)(2)(ii)", "164.312(a)(1)"],
    rationale=(
        "A cache holding session data or query results of ePHI must not accept plain-text connections on port "
        "6379 or TLS below 1.2, and with public network access disabled it is reachable only through private "
        "endpoints (Azure Policy 22bee202, in the HIPAA HITRUST initiative)."
    ),
    remediation=(
        "az redis update --name <cache> --resource-group <rg> --set enableNonSslPort=false "
        "minimumTlsVersion=1.2 publicNetworkAccess=Disabled (after creating a private endpoint for the cache)"
    ),
    checks=[
        # enableNonSslPort and minimumTlsVersion have no default recorded in service-defaults.json: absent stays unknown.
        Check("properties.enableNonSslPort", equals(False)),
        Check("properties.minimumTlsVersion", version_at_least("1.2")),
        # publicNetworkAccess defaults to Enabled.
        Check("properties.publicNetworkAccess", equals("Disabled"), when_missing=Status.FAIL),
    ],
)

from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="ST-01",
    title="Storage secure transfer (HTTPS only) required",
    severity="high",
    resource_types=["Microsoft.Storage/storageAccounts"],
    # TLS is authenticated encryption: a modified record fails its check, so
    # enforcing it is also an integrity control for ePHI in transit.
    citations=["164.312(e)(1)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)"],
    rationale="Requiring HTTPS stops ePHI in blobs, files, queues and tables from crossing the network in clear text.",
    remediation="az storage account update --name <account> --resource-group <rg> --https-only true",
    # The API default is true since 2019, but an absent value is not evidence: unknown.
    checks=[Check("properties.supportsHttpsTrafficOnly", equals(True))],
)

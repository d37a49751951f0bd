from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="SQL-09",
    title="SQL server public network access disabled",
    severity="high",
    resource_types=["Microsoft.Sql/servers"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale="With public network access disabled, databases holding ePHI are reachable only through private endpoints.",
    remediation="az sql server update --name <server> --resource-group <rg> --enable-public-network false (after creating a private endpoint)",
    # The service default is Enabled.
    checks=[Check("properties.publicNetworkAccess", equals("Disabled"))],
)

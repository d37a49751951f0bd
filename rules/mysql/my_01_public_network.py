from hipaa_scan.engine import Check, equals, non_empty, property_rule

RULE = property_rule(
    id="MY-01",
    title="MySQL flexible: public network access disabled / VNet-injected",
    severity="high",
    resource_types=["Microsoft.DBforMySQL/flexibleServers"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale="A server with public access is reachable from the Internet; ePHI databases should be reachable only from private networks.",
    remediation="az mysql flexible-server update --name <server> --resource-group <rg> --public-access Disabled (after creating a private endpoint)",
    # A server created without network settings gets public access, the default.
    checks=[
        Check("properties.network.publicNetworkAccess", equals("Disabled")),
        Check("properties.network.delegatedSubnetResourceId", non_empty()),
    ],
    mode="any",
)

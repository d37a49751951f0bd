from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="NET-12",
    title="Azure Firewall is Premium SKU",
    severity="high",
    resource_types=["Microsoft.Network/azureFirewalls"],
    citations=["164.312(e)(1)", "164.308(a)(1)(ii)(B)", "164.308(a)(5)(ii)(B)"],
    rationale=(
        "Only Azure Firewall Premium provides TLS inspection, IDPS and URL filtering, which detect malicious "
        "traffic to and from systems holding ePHI."
    ),
    remediation=(
        "Upgrade in the portal (Azure Firewall > Firewall Manager > Upgrade to Premium) or redeploy with "
        "az network firewall create --tier Premium --firewall-policy <premium-policy>."
    ),
    checks=[Check("properties.sku.tier", equals("Premium"))],
)

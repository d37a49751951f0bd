from hipaa_scan.engine import Check, equals, non_empty, property_rule

RULE = property_rule(
    id="NET-26",
    title="VNets protected by Azure DDoS Network Protection",
    severity="medium",
    resource_types=["Microsoft.Network/virtualNetworks"],
    citations=["164.308(a)(7)(i)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "DDoS Network Protection adapts mitigation to the public endpoints in the VNet, keeping systems that "
        "serve ePHI available during volumetric attacks, as contingency planning expects."
    ),
    remediation=(
        "az network ddos-protection create --name <plan> --resource-group <rg> --vnets <vnet> "
        "(or az network vnet update --name <vnet> --resource-group <rg> --ddos-protection true "
        "--ddos-protection-plan <plan-id>)"
    ),
    checks=[
        # Both are off unless a DDoS protection plan is associated.
        Check("properties.enableDdosProtection", equals(True)),
        Check("properties.ddosProtectionPlan.id", non_empty()),
    ],
)

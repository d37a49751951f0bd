from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="FHIR-03",
    title="Azure API for FHIR public network access disabled",
    severity="high",
    resource_types=["Microsoft.HealthcareApis/services"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A FHIR service is an ePHI store by design; with public network access disabled it is reachable "
        "only through private endpoints."
    ),
    remediation=(
        "Create a private endpoint, then az healthcareapis service update --resource-name <fhir> "
        "--resource-group <rg> --public-network-access Disabled"
    ),
    # publicNetworkAccess defaults to Enabled.
    checks=[Check("properties.publicNetworkAccess", equals("Disabled"))],
)

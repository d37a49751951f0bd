from hipaa_scan.engine import Check, non_empty, property_rule

RULE = property_rule(
    id="FHIR-01",
    title="Azure API for FHIR encrypted with customer-managed key",
    severity="medium",
    resource_types=["Microsoft.HealthcareApis/services"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "A customer-managed key keeps control of the key protecting the FHIR data store, which is ePHI by "
        "design, with the organisation, which can rotate or revoke it."
    ),
    remediation=(
        "CMK can only be set at creation: az healthcareapis service create --resource-name <fhir> "
        "--resource-group <rg> --kind fhir-R4 --cosmos-db-configuration key-vault-key-uri=<key-uri> ... "
        "(recreate and migrate existing services)."
    ),
    # Without a key URI the service uses Microsoft-managed keys.
    checks=[Check("properties.cosmosDbConfiguration.keyVaultKeyUri", non_empty())],
)

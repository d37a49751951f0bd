from hipaa_scan.engine import Check, non_empty, property_rule

RULE = property_rule(
    id="FHIR-09",
    title="Health Data Services FHIR service encrypted with CMK",
    severity="medium",
    resource_types=["Microsoft.HealthcareApis/workspaces/fhirservices"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "A customer-managed key keeps control of the key protecting the FHIR service's patient data with the "
        "organisation, which can rotate or revoke it."
    ),
    remediation=(
        "CMK can only be set at creation: az healthcareapis workspace fhir-service create ... "
        "--encryption key-encryption-key-url=<key-uri> with a managed identity that can use the key."
    ),
    # Without a key URL the service uses Microsoft-managed keys.
    checks=[Check("properties.encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl", non_empty())],
)

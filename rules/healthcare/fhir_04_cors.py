from hipaa_scan.engine import Check, Expectation, property_rule

NO_WILDCARD = Expectation("does not contain '*'", lambda v: isinstance(v, list) and "*" not in v)

RULE = property_rule(
    id="FHIR-04",
    title="FHIR CORS does not allow every origin",
    severity="medium",
    resource_types=["Microsoft.HealthcareApis/services", "Microsoft.HealthcareApis/workspaces/fhirservices"],
    citations=["164.312(a)(1)"],
    rationale=(
        "A wildcard CORS origin lets script on any website call the FHIR API from a signed-in user's browser, "
        "so any site could read patient records with that user's token."
    ),
    remediation=(
        "Portal: the FHIR service > CORS > Origins: replace '*' with the exact origins of trusted apps "
        "(e.g. https://portal.contoso.example), one per line, and save."
    ),
    # No CORS configuration means no cross-origin caller is allowed; unexported properties stay unknown.
    checks=[Check("properties.corsConfiguration.origins", NO_WILDCARD)],
)

from hipaa_scan.engine import Context, Resource, Verdict, approved_private_endpoint, rule


@rule(
    id="FHIR-02",
    title="Azure API for FHIR uses private link",
    severity="high",
    resource_types=["Microsoft.HealthcareApis/services"],
    citations=["164.312(a)(1)", "164.312(e)(1)"],
    rationale=(
        "An approved private endpoint lets clients reach the FHIR service, an ePHI store by design, over the "
        "private network instead of its public endpoint."
    ),
    remediation=(
        "az network private-endpoint create --name <pe> --resource-group <rg> --vnet-name <vnet> --subnet <subnet> "
        "--private-connection-resource-id <fhir-id> --group-id fhir --connection-name <name>"
    ),
)
def check(service: Resource, _ctx: Context) -> Verdict:
    return approved_private_endpoint(service)

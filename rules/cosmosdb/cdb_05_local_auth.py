from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="CDB-05",
    title="Cosmos DB local (key) auth disabled - Entra RBAC only",
    severity="medium",
    resource_types=["Microsoft.DocumentDB/databaseAccounts"],
    citations=["164.312(a)(2)(i)", "164.312(d)"],
    rationale=(
        "Account keys are shared secrets that grant full access to ePHI without identifying the caller; "
        "Microsoft Entra RBAC ties every data request to a unique identity."
    ),
    remediation="Grant Cosmos DB data-plane roles, then: az resource update --ids <account-id> --set properties.disableLocalAuth=true",
    # Absent means key-based access is allowed, the default (Azure Policy: non-compliant).
    checks=[Check("properties.disableLocalAuth", equals(True))],
)

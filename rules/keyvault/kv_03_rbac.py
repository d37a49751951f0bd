from hipaa_scan.engine import Check, Status, equals, property_rule

RULE = property_rule(
    id="KV-03",
    title="Key Vault uses Azure RBAC permission model",
    severity="medium",
    resource_types=["Microsoft.KeyVault/vaults"],
    citations=["164.308(a)(4)(ii)(B)", "164.312(a)(1)"],
    rationale=(
        "Azure RBAC gives auditable, PIM-eligible role assignments on the keys protecting ePHI; "
        "legacy vault access policies are broad and bypass central access reviews."
    ),
    remediation=(
        "Assign Key Vault data-plane roles, then: az keyvault update --name <vault> --enable-rbac-authorization true"
    ),
    # The API default was false (access policies); a GET omitting it is an access-policy vault.
    checks=[Check("properties.enableRbacAuthorization", equals(True), when_missing=Status.FAIL)],
)

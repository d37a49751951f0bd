from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="KV-04",
    title="Key Vault firewall default action Deny (or public access disabled)",
    severity="high",
    resource_types=["Microsoft.KeyVault/vaults"],
    citations=["164.312(a)(1)", "164.308(a)(1)(ii)(B)"],
    rationale=(
        "A vault reachable from any network exposes the keys that protect ePHI to credential-stuffing "
        "and token-theft attacks from anywhere on the Internet."
    ),
    remediation="az keyvault update --name <vault> --default-action Deny (then add needed IP/VNet rules or a private endpoint)",
    # Absent publicNetworkAccess means Enabled; absent networkAcls means allow-all.
    checks=[
        Check("properties.publicNetworkAccess", equals("Disabled")),
        Check("properties.networkAcls.defaultAction", equals("Deny")),
    ],
    mode="any",
)

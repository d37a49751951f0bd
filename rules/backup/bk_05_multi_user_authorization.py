from hipaa_scan.engine import Check, equals, property_rule

RULE = property_rule(
    id="BK-05",
    title="Recovery Services vault Multi-User Authorization",
    severity="low",
    resource_types=["Microsoft.RecoveryServices/vaults"],
    citations=["164.308(a)(4)(ii)(C)", "164.312(c)(1)"],
    rationale=(
        "Multi-User Authorization requires approval through a Resource Guard in another tenant or subscription "
        "before critical operations, so one compromised admin cannot disable protection of ePHI backups."
    ),
    remediation=(
        "Create a Resource Guard (az dataprotection resource-guard create ...) and associate it with the vault "
        "(portal: Recovery Services vault > Properties > Multi-User Authorization > Update)."
    ),
    # Multi-User Authorization is off until a Resource Guard is associated.
    checks=[Check("properties.securitySettings.multiUserAuthorization", equals("Enabled"))],
)

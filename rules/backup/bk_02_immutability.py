from hipaa_scan.engine import Check, one_of, property_rule

RULE = property_rule(
    id="BK-02",
    title="Recovery Services vault immutability enabled (Locked preferred)",
    severity="high",
    resource_types=["Microsoft.RecoveryServices/vaults"],
    citations=["164.308(a)(7)(ii)(A)", "164.312(c)(1)", "164.312(c)(2)"],
    rationale=(
        "An immutable vault prevents recovery points of ePHI from being deleted or shortened before they expire, "
        "protecting backups against ransomware and insider tampering; Locked makes this irreversible."
    ),
    remediation="az backup vault update --name <vault> --resource-group <rg> --immutability-state Unlocked (then Locked)",
    # Immutability is not configured on a vault unless set; absent means Disabled.
    checks=[Check("properties.securitySettings.immutabilitySettings.state", one_of("Unlocked", "Locked"))],
)

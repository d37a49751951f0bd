from hipaa_scan.engine import (
    Check,
    Context,
    Resource,
    Status,
    Verdict,
    all_of,
    equals,
    lookup,
    non_empty,
    rule,
)


@rule(
    id="ML-03",
    title="Azure ML workspace encrypted with customer-managed key",
    severity="medium",
    resource_types=["Microsoft.MachineLearningServices/workspaces"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "A customer-managed key keeps control of the key protecting ePHI in workspace data, metadata and "
        "compute disks with the organisation, which can rotate or revoke it."
    ),
    remediation=(
        "CMK can only be set at creation: az ml workspace create --name <ws> --resource-group <rg> "
        "--customer-managed-key <key-uri> (recreate and migrate existing workspaces)."
    ),
)
def check(workspace: Resource, _ctx: Context) -> Verdict:
    kind = lookup(workspace, "kind")
    if kind.found and equals("project")(kind.value):
        # not_applicable() leaves `expected` empty; every verdict must state it.
        expected = "kind != 'project' (projects inherit encryption from their hub)"
        return Verdict(Status.NOT_APPLICABLE, "kind", kind.value, expected, "AI Foundry project; CMK is set on the hub")
    return all_of(
        workspace,
        # Without an encryption block the workspace uses Microsoft-managed keys.
        Check("properties.encryption.status", equals("Enabled")),
        Check("properties.encryption.keyVaultProperties.keyIdentifier", non_empty()),
    )

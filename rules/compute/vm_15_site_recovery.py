from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    equals,
    lookup,
    protection_items,
    protection_state,
    rule,
    unknown,
)

REPLICATED_ITEMS = (
    "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems"
)
PROTECTED = equals("Protected")
PATH = f"{REPLICATED_ITEMS}[].properties.protectionState"
EXPECTED = f"an item whose providerSpecificDetails.fabricObjectId is this VM, protectionState {PROTECTED.description}"


def _outside_azure(item: Resource) -> bool:
    # Other scenarios (VMware, Hyper-V) state their instanceType and name a non-Azure source;
    # only an item whose details could not be read at all is a gap.
    return lookup(item, "properties.providerSpecificDetails.instanceType").found


@rule(
    id="VM-15",
    title="VM replicated with Azure Site Recovery (DR)",
    severity="medium",
    resource_types=["Microsoft.Compute/virtualMachines"],
    reads=[REPLICATED_ITEMS],
    citations=["164.308(a)(7)(ii)(B)", "164.308(a)(7)(ii)(C)"],
    rationale=(
        "Disaster recovery and emergency-mode operation plans need ePHI systems restorable in another region; "
        "Site Recovery replication in Protected state shows the VM can fail over."
    ),
    remediation=(
        "Enable replication in the Recovery Services vault of the target region (portal: VM > Disaster recovery, "
        "or az site-recovery protected-item create with an A2A policy)."
    ),
)
def check(vm: Resource, ctx: Context) -> Verdict:
    items = protection_items(
        ctx, REPLICATED_ITEMS, "properties.providerSpecificDetails.fabricObjectId", outside_azure=_outside_azure
    )
    mine = items.of(vm)
    if mine:
        return protection_state(mine, PROTECTED, PATH, EXPECTED, "replication exists but the VM is not protected")
    # The vault sits in the recovery region, normally (not always) in the VM's subscription,
    # so an unreadable item in any subscription may be this VM's.
    if ctx.is_complete(REPLICATED_ITEMS, vm.subscription_id) and not items.unreadable:
        return Verdict(Status.FAIL, PATH, None, EXPECTED, "no Site Recovery replication for this VM")
    return unknown(
        PATH, "no replication item for this VM in the input, and replication items were not fully collected", EXPECTED
    )

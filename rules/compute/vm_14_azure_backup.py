from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    equals,
    lookup,
    one_of,
    protection_items,
    protection_state,
    rule,
    unknown,
)

PROTECTED_ITEMS = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"
PROTECTED = one_of("Protected", "IRPending")
PATH = f"{PROTECTED_ITEMS}[].properties.protectionState"
EXPECTED = f"a VM backup item whose sourceResourceId is this VM, protectionState {PROTECTED.description}"


def _whole_vm(item: Resource) -> bool:
    # SQL-in-VM and other workload items also point at the VM; only a whole-VM item counts.
    return equals("Microsoft.Compute/virtualMachines")(lookup(item, "properties.protectedItemType").value)


@rule(
    id="VM-14",
    title="VM protected by Azure Backup",
    severity="high",
    resource_types=["Microsoft.Compute/virtualMachines"],
    reads=[PROTECTED_ITEMS],
    citations=["164.308(a)(7)(ii)(A)", "164.310(d)(2)(iv)"],
    rationale=(
        "The data backup plan requires retrievable exact copies of ePHI; an Azure Backup item in Protected state "
        "shows the VM is backed up on a policy schedule."
    ),
    remediation=(
        "az backup protection enable-for-vm --resource-group <vault-rg> --vault-name <vault> --vm <vm-id> "
        "--policy-name <policy>"
    ),
)
def check(vm: Resource, ctx: Context) -> Verdict:
    items = protection_items(ctx, PROTECTED_ITEMS, "properties.sourceResourceId", counts=_whole_vm)
    mine = items.of(vm)
    if mine:
        return protection_state(mine, PROTECTED, PATH, EXPECTED, "backup item exists but the VM is not protected")
    # A VM is backed up to a vault in its own subscription and region.
    if ctx.is_complete(PROTECTED_ITEMS, vm.subscription_id) and vm.subscription_id not in items.unreadable:
        return Verdict(Status.FAIL, PATH, None, EXPECTED, "no Azure Backup item for this VM")
    return unknown(PATH, "no backup item for this VM in the input, and backup items were not fully collected", EXPECTED)

from collections.abc import Mapping

from hipaa_scan.engine import Context, Presence, Resource, Semantics, Status, Verdict, lookup, lookup_in, rule, unknown

PATH = "properties.storageProfile.{osDisk,dataDisks[]}.vhd.uri"
EXPECTED = "no OS or data disk is an unmanaged VHD (vhd.uri absent)"


@rule(
    id="VM-03",
    title="VM uses managed disks",
    severity="medium",
    resource_types=["Microsoft.Compute/virtualMachines"],
    citations=["164.312(a)(2)(iv)"],
    rationale=(
        "Unmanaged VHDs are page blobs in a storage account, outside the managed-disk controls (encryption at host, "
        "disk encryption sets, network access policies) that protect the ePHI a VM writes."
    ),
    remediation="az vm deallocate -n <vm> -g <rg> && az vm convert -n <vm> -g <rg> && az vm start -n <vm> -g <rg>",
)
def check(vm: Resource, _ctx: Context) -> Verdict:
    # As in Azure Policy 06a78e20, a disk is unmanaged when it names a VHD; a disk
    # without one is managed (a template need not declare managedDisk).
    os_disk = lookup(vm, "properties.storageProfile.osDisk")
    disk = os_disk.value
    if (
        os_disk.presence is Presence.MISSING
        and vm.semantics is Semantics.DESIRED
        and lookup(vm, "properties.storageProfile.imageReference").found
    ):
        disk = {}  # a template that names only the image gets a managed OS disk created from it
    if not isinstance(disk, Mapping):
        return unknown(PATH, "the VM's storage profile was not in the input", EXPECTED)
    data = lookup(vm, "properties.storageProfile.dataDisks")
    if data.presence is Presence.UNRESOLVED or (data.found and not isinstance(data.value, list)):
        return unknown(PATH, "dataDisks could not be read", EXPECTED)
    disks = [disk, *(d for d in (data.value if data.found else []) if isinstance(d, Mapping))]
    vhds: list[str] = []
    for disk in disks:
        uri = lookup_in(disk, "vhd.uri")
        if uri.presence is Presence.UNRESOLVED:
            return unknown(PATH, "a disk's vhd.uri is an unresolved template expression", EXPECTED)
        if uri.found and uri.value:
            vhds.append(str(uri.value))
    if vhds:
        return Verdict(Status.FAIL, PATH, vhds, EXPECTED, "unmanaged VHD disks")
    return Verdict(Status.PASS, PATH, [], EXPECTED)

from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    combine_all,
    combine_any,
    equals,
    judge,
    lookup,
    lookup_in,
    one_of,
    rule,
    unknown,
)

EXTENSIONS = "Microsoft.Compute/virtualMachines/extensions"
ADE_TYPES = one_of("AzureDiskEncryption", "AzureDiskEncryptionForLinux")
ADE_PATH = f"{EXTENSIONS}[].properties.type"
ADE_EXPECTED = f"an extension by 'Microsoft.Azure.Security' of type {ADE_TYPES.description}"
DISKS_PATH = "managed disks: properties.encryptionSettingsCollection.enabled"
DISKS_EXPECTED = "every attached managed disk has encryptionSettingsCollection.enabled == True"


def _ade_extension(vm: Resource, ctx: Context) -> Verdict:
    """Azure Disk Encryption is installed as a VM extension; a VM GET also lists
    its extensions inline under ``resources``."""
    related = ctx.children(vm, EXTENSIONS)
    inline = vm.raw.get("resources")
    extensions: list[Mapping[str, Any]] = [e.raw for e in related.items]
    if isinstance(inline, list):
        extensions.extend(e for e in inline if isinstance(e, Mapping))
    found = [
        str(lookup_in(e, "properties.type").value)
        for e in extensions
        if equals("Microsoft.Azure.Security")(lookup_in(e, "properties.publisher").value)
    ]
    if any(ADE_TYPES(t) for t in found):
        return Verdict(Status.PASS, ADE_PATH, found, ADE_EXPECTED)
    if related.complete or isinstance(inline, list):
        return Verdict(Status.FAIL, ADE_PATH, found, ADE_EXPECTED, "no Azure Disk Encryption extension")
    return unknown(ADE_PATH, "the VM's extensions were not in the input", ADE_EXPECTED)


def _disk_ids(vm: Resource) -> list[Any] | None:
    os_disk = lookup(vm, "properties.storageProfile.osDisk.managedDisk.id")
    data = lookup(vm, "properties.storageProfile.dataDisks")
    if not os_disk.found or (data.found and not isinstance(data.value, list)):
        return None
    refs = [d for d in data.value if isinstance(d, Mapping)] if data.found else []
    return [os_disk.value, *(lookup_in(d, "managedDisk.id").value for d in refs)]


def _ade_on_disks(vm: Resource, ctx: Context) -> Verdict:
    """ADE also shows on each managed disk as ``encryptionSettingsCollection``."""
    ids = _disk_ids(vm)
    if ids is None:
        return unknown(DISKS_PATH, "the VM's managed disks were not in the input", DISKS_EXPECTED)
    verdicts = []
    for disk_id in ids:
        disk = ctx.get(disk_id) if isinstance(disk_id, str) else None
        if disk is None:
            verdicts.append(unknown(DISKS_PATH, f"disk {disk_id} was not in the input", DISKS_EXPECTED))
        else:
            # No encryptionSettingsCollection means ADE never encrypted the disk.
            found = lookup(disk, "properties.encryptionSettingsCollection.enabled")
            verdicts.append(judge(found, equals(True), Status.FAIL))
    verdict = combine_all(verdicts)
    return Verdict(verdict.status, DISKS_PATH, verdict.observed, DISKS_EXPECTED, verdict.message)


@rule(
    id="VM-02",
    title="VM disk encryption: ADE or EncryptionAtHost or Confidential VM",
    severity="high",
    resource_types=["Microsoft.Compute/virtualMachines"],
    reads=["Microsoft.Compute/disks", "Microsoft.Compute/virtualMachines/extensions"],
    citations=["164.312(a)(2)(iv)", "164.310(d)(1)"],
    rationale=(
        "Server-side encryption alone leaves temp disks and caches unencrypted on the host; encryption at host, "
        "Azure Disk Encryption or a Confidential VM encrypts every copy of the ePHI a VM writes."
    ),
    remediation=(
        "Prefer encryption at host: az vm deallocate -n <vm> -g <rg> && az vm update -n <vm> -g <rg> --set "
        "securityProfile.encryptionAtHost=true && az vm start -n <vm> -g <rg> "
        "(or az vm encryption enable -n <vm> -g <rg> --disk-encryption-keyvault <vault>)."
    ),
)
def check(vm: Resource, ctx: Context) -> Verdict:
    return combine_any(
        [
            # Encryption at host is off, and the security type Standard, unless set.
            judge(lookup(vm, "properties.securityProfile.encryptionAtHost"), equals(True), Status.FAIL),
            judge(lookup(vm, "properties.securityProfile.securityType"), equals("ConfidentialVM"), Status.FAIL),
            _ade_extension(vm, ctx),
            _ade_on_disks(vm, ctx),
        ]
    )

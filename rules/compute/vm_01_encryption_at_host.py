from hipaa_scan.engine import Context, Resource, Status, Verdict, equals, judge, lookup, rule

VMSS = "microsoft.compute/virtualmachinescalesets"


@rule(
    id="VM-01",
    title="VM encryption at host enabled",
    severity="high",
    resource_types=["Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachineScaleSets"],
    citations=["164.312(a)(2)(iv)", "164.310(d)(1)"],
    rationale=(
        "Encryption at host encrypts temp disks and disk caches on the host, which otherwise hold ePHI "
        "unencrypted outside the managed-disk encryption boundary."
    ),
    remediation=(
        "az vm deallocate -n <vm> -g <rg> && az vm update -n <vm> -g <rg> --set "
        "securityProfile.encryptionAtHost=true && az vm start -n <vm> -g <rg> "
        "(register feature Microsoft.Compute/EncryptionAtHost first)."
    ),
)
def check(vm: Resource, _ctx: Context) -> Verdict:
    prefix = "properties.virtualMachineProfile." if vm.type_key == VMSS else "properties."
    # Encryption at host is off unless explicitly enabled.
    return judge(lookup(vm, prefix + "securityProfile.encryptionAtHost"), equals(True), Status.FAIL)

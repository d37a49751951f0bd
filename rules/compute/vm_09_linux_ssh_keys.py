from hipaa_scan.engine import (
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    equals,
    judge,
    lookup,
    rule,
    unknown,
)

PATH = "properties.osProfile.linuxConfiguration.disablePasswordAuthentication"
EXPECTED = f"{equals(True).description} on Linux VMs"


# Marketplace image publishers whose images are one operating system only.
LINUX_PUBLISHERS = frozenset({"canonical", "redhat", "suse", "debian", "oracle", "openlogic", "almalinux", "kinvolk"})
WINDOWS_PUBLISHERS = frozenset({"microsoftwindowsserver", "microsoftwindowsdesktop", "microsoftvisualstudio"})


def _os(vm: Resource) -> str | None:
    """'linux', 'windows' or None when the input does not say."""
    if lookup(vm, "properties.osProfile.linuxConfiguration").found:
        return "linux"
    if lookup(vm, "properties.osProfile.windowsConfiguration").found:
        return "windows"
    os_type = lookup(vm, "properties.storageProfile.osDisk.osType")
    if os_type.found and isinstance(os_type.value, str) and os_type.value.lower() in ("linux", "windows"):
        return os_type.value.lower()
    publisher = lookup(vm, "properties.storageProfile.imageReference.publisher")
    if publisher.found and isinstance(publisher.value, str):
        if publisher.value.lower() in LINUX_PUBLISHERS:
            return "linux"
        if publisher.value.lower() in WINDOWS_PUBLISHERS:
            return "windows"
    return None


@rule(
    id="VM-09",
    title="Linux VMs use SSH keys (password auth disabled)",
    severity="medium",
    resource_types=["Microsoft.Compute/virtualMachines"],
    citations=["164.312(d)", "164.308(a)(5)(ii)(D)"],
    rationale=(
        "Password login to Linux VMs holding ePHI is open to guessing and credential stuffing; SSH keys give "
        "stronger person or entity authentication."
    ),
    remediation=(
        "az vm user update -n <vm> -g <rg> -u <user> --ssh-key-value <pubkey>, then set "
        "PasswordAuthentication no in sshd_config (or redeploy with --authentication-type ssh)."
    ),
)
def check(vm: Resource, _ctx: Context) -> Verdict:
    system = _os(vm)
    if system == "windows":
        # not_applicable() leaves `expected` empty; every verdict must state it.
        return Verdict(Status.NOT_APPLICABLE, PATH, "Windows", EXPECTED, "Windows VM; the check applies to Linux only")
    if system is None:
        if lookup(vm, "properties").presence is Presence.NOT_COLLECTED:
            return unknown(PATH, "properties were not in the input", EXPECTED)
        return unknown(PATH, "operating system could not be determined", EXPECTED)
    found = lookup(vm, PATH)
    if found.presence is Presence.MISSING and lookup(vm, "properties.osProfile.adminPassword").presence in (
        Presence.FOUND,
        Presence.UNRESOLVED,
    ):
        # disablePasswordAuthentication defaults to false: a Linux VM given an
        # admin password without it accepts password logins.
        return Verdict(
            Status.FAIL, PATH, None, EXPECTED, "absent with an adminPassword set; password authentication is on"
        )
    return judge(found, equals(True))

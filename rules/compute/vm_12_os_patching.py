from hipaa_scan.engine import (
    Context,
    Lookup,
    Presence,
    Resource,
    Status,
    Verdict,
    equals,
    lookup,
    one_of,
    rule,
    unknown,
)

WINDOWS = "properties.osProfile.windowsConfiguration"
LINUX = "properties.osProfile.linuxConfiguration"
AUTOMATIC = one_of("AutomaticByPlatform", "AutomaticByOS")
EXPECTED = f"patchSettings.patchMode {AUTOMATIC.description} (AutomaticByOS only on Windows)"


def _verdict(status: Status, found: Lookup, message: str = "") -> Verdict:
    return Verdict(status, found.path, found.value, EXPECTED, message)


def _windows(vm: Resource) -> Verdict:
    mode = lookup(vm, f"{WINDOWS}.patchSettings.patchMode")
    if mode.found:
        ok = AUTOMATIC(mode.value)
        return _verdict(Status.PASS if ok else Status.FAIL, mode, "" if ok else "updates are installed manually")
    if mode.presence is not Presence.MISSING:
        return unknown(mode.path, "patchMode could not be read", EXPECTED)
    # Without patchSettings the mode follows enableAutomaticUpdates, which defaults to true (AutomaticByOS).
    updates = lookup(vm, f"{WINDOWS}.enableAutomaticUpdates")
    if updates.presence is Presence.UNRESOLVED:
        return unknown(updates.path, "value is an unresolved template expression", EXPECTED)
    if updates.found and not equals(True)(updates.value):
        return _verdict(Status.FAIL, updates, "Windows Update is off and no patch mode is set")
    note = "patchMode absent; enableAutomaticUpdates " + ("is true" if updates.found else "defaults to true")
    return Verdict(Status.PASS, updates.path, True, EXPECTED, f"{note} (AutomaticByOS)")


def _linux(vm: Resource) -> Verdict:
    mode = lookup(vm, f"{LINUX}.patchSettings.patchMode")
    if mode.found and equals("AutomaticByPlatform")(mode.value):
        return _verdict(Status.PASS, mode)
    if mode.presence in (Presence.FOUND, Presence.MISSING):
        # ImageDefault (the default) leaves patching to the image, which ARM does not describe.
        return Verdict(
            Status.UNKNOWN,
            mode.path,
            mode.value or "ImageDefault",
            EXPECTED,
            "ImageDefault leaves patching to the OS image's own configuration, which is not in ARM data",
        )
    return unknown(mode.path, "patchMode could not be read", EXPECTED)


@rule(
    id="VM-12",
    title="OS patching automated / system updates applied",
    severity="medium",
    resource_types=["Microsoft.Compute/virtualMachines"],
    citations=["164.308(a)(1)(ii)(B)", "164.308(a)(5)(ii)(B)"],
    rationale=(
        "Unpatched operating systems are the commonest way malicious software reaches systems holding ePHI; "
        "automatic guest patching (AutomaticByPlatform, or AutomaticByOS on Windows) keeps security updates applied."
    ),
    remediation=(
        "az vm update -n <vm> -g <rg> --set osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByPlatform "
        "(osProfile.linuxConfiguration... on Linux; requires a supported image and the VM agent)"
    ),
)
def check(vm: Resource, _ctx: Context) -> Verdict:
    windows, linux = lookup(vm, WINDOWS), lookup(vm, LINUX)
    if windows.found:
        return _windows(vm)
    if linux.found:
        return _linux(vm)
    if Presence.UNRESOLVED in (windows.presence, linux.presence):
        return unknown(WINDOWS, "the OS configuration is an unresolved template expression", EXPECTED)
    if windows.presence is Presence.NOT_COLLECTED:
        return unknown(WINDOWS, "properties were not in the input", EXPECTED)
    if not lookup(vm, "properties.osProfile").found:
        # A VM created from an attached OS disk has no osProfile, so no patch settings in ARM.
        return unknown(WINDOWS, "the VM's osProfile (and its patch settings) was not in the input", EXPECTED)
    # An osProfile without an OS block leaves every patch setting at its default.
    os_type = lookup(vm, "properties.storageProfile.osDisk.osType").value
    if equals("Windows")(os_type):
        return _windows(vm)
    if equals("Linux")(os_type):
        return _linux(vm)
    return unknown(WINDOWS, "the operating system could not be determined", EXPECTED)

from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    SECURITY_SETTINGS,
    SUBSCRIPTION_TYPE,
    Context,
    Resource,
    Status,
    Verdict,
    combine_all,
    combine_any,
    defender_plan,
    lookup_in,
    rule,
    security_setting_enabled,
    unknown,
)

EXTENSIONS = "Microsoft.Compute/virtualMachines/extensions"
# (publisher, type) of the endpoint protection agents Azure Policy recognises.
AGENTS = frozenset(
    {
        ("microsoft.azure.azuredefenderforservers", "mde.windows"),
        ("microsoft.azure.azuredefenderforservers", "mde.linux"),
        ("microsoft.azure.security", "iaasantimalware"),
    }
)
EXT_PATH = f"{EXTENSIONS}[].properties.{{publisher,type}}"
EXT_EXPECTED = "an MDE.Windows/MDE.Linux (Microsoft.Azure.AzureDefenderForServers) or IaaSAntimalware extension"


def _agent_extension(vm: Resource, ctx: Context) -> Verdict:
    """Extensions are child resources; a VM GET also lists them inline under ``resources``."""
    related = ctx.children(vm, EXTENSIONS)
    inline = vm.raw.get("resources")
    extensions: list[Mapping[str, Any]] = [e.raw for e in related.items]
    if isinstance(inline, list):
        extensions.extend(e for e in inline if isinstance(e, Mapping))
    found: list[str] = []
    for ext in extensions:
        publisher = lookup_in(ext, "properties.publisher").value
        ext_type = lookup_in(ext, "properties.type").value
        if isinstance(publisher, str) and isinstance(ext_type, str):
            found.append(f"{publisher}/{ext_type}")
            if (publisher.lower(), ext_type.lower()) in AGENTS:
                return Verdict(Status.PASS, EXT_PATH, f"{publisher}/{ext_type}", EXT_EXPECTED)
    if related.complete or isinstance(inline, list):
        return Verdict(Status.FAIL, EXT_PATH, sorted(found), EXT_EXPECTED, "no endpoint protection extension")
    return unknown(EXT_PATH, "the VM's extensions were not in the input", EXT_EXPECTED)


def _auto_onboarding(vm: Resource, ctx: Context) -> Verdict:
    """Defender for Servers with the WDATP integration deploys Defender for Endpoint to every VM."""
    subscription = ctx.get(f"/subscriptions/{vm.subscription_id}") if vm.subscription_id else None
    if subscription is None:
        return unknown("subscription", "the VM's subscription is not known", "Defender for Servers with WDATP on")
    return combine_all(
        [
            defender_plan(subscription, ctx, "VirtualMachines"),
            security_setting_enabled(
                subscription, ctx, "WDATP", not_collected="Defender for Cloud settings were not in the input"
            ),
        ]
    )


@rule(
    id="VM-08",
    title="Endpoint protection / Defender for Endpoint on VMs",
    severity="high",
    resource_types=["Microsoft.Compute/virtualMachines"],
    reads=[EXTENSIONS, "Microsoft.Security/pricings", SECURITY_SETTINGS, SUBSCRIPTION_TYPE],
    citations=["164.308(a)(5)(ii)(B)"],
    rationale=(
        "Anti-malware and endpoint detection on VMs that process ePHI guard against, detect and report malicious "
        "software. The VM passes with an MDE or IaaSAntimalware extension, or when its subscription has Defender "
        "for Servers with the Defender for Endpoint (WDATP) integration, which onboards every VM automatically."
    ),
    remediation=(
        "az security pricing create --name VirtualMachines --tier Standard (with the WDATP integration on), or "
        "az vm extension set --vm-name <vm> --resource-group <rg> --publisher Microsoft.Azure.Security "
        "--name IaaSAntimalware (Windows)."
    ),
)
def check(vm: Resource, ctx: Context) -> Verdict:
    return combine_any([_agent_extension(vm, ctx), _auto_onboarding(vm, ctx)])

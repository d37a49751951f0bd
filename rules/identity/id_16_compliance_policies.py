from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import Context, Resource, Status, Verdict, graph_list, rule
from hipaa_scan.entra import DEVICE_COMPLIANCE_POLICIES, TENANT_TYPE

PATH = f"graph.{DEVICE_COMPLIANCE_POLICIES}[]"
EXPECTED = (
    "at least one assigned device compliance policy, and every assigned policy requires encryption and a "
    "password (windows10: bitLockerEnabled or storageRequireEncryption; macOS/Android: storageRequireEncryption; "
    "iOS: passcodeRequired, which turns on Data Protection)"
)
# @odata.type suffix -> (password setting, encryption settings, any one of which suffices)
PLATFORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "windows10compliancepolicy": ("passwordRequired", ("bitLockerEnabled", "storageRequireEncryption")),
    "macoscompliancepolicy": ("passwordRequired", ("storageRequireEncryption",)),
    "androidcompliancepolicy": ("passwordRequired", ("storageRequireEncryption",)),
    "androidworkprofilecompliancepolicy": ("passwordRequired", ("storageRequireEncryption",)),
    "androiddeviceownercompliancepolicy": ("passwordRequired", ("storageRequireEncryption",)),
    "aospdeviceownercompliancepolicy": ("passwordRequired", ("storageRequireEncryption",)),
    "ioscompliancepolicy": ("passcodeRequired", ()),
}


def _problem(policy: Mapping[str, Any]) -> str | None:
    """Why an assigned policy falls short ('' for unknown platform), or None when it is fine."""
    kind = str(policy.get("@odata.type", "")).rsplit(".", 1)[-1].lower()
    if kind not in PLATFORMS:
        return ""
    password, encryption = PLATFORMS[kind]
    missing = [] if policy.get(password) is True else [password]
    if encryption and not any(policy.get(setting) is True for setting in encryption):
        missing.append(" or ".join(encryption))
    return f"does not require {' and '.join(missing)}" if missing else None


@rule(
    id="ID-16",
    title="Intune compliance policies exist and require encryption/passcode",
    severity="high",
    resource_types=[TENANT_TYPE],
    reads=["Microsoft.Graph/deviceCompliancePolicies"],
    citations=["164.310(b)", "164.310(c)", "164.310(d)(1)", "164.312(a)(2)(iv)"],
    rationale=(
        "Workstations and phones that open ePHI must be encrypted and locked by a password; a compliance "
        "policy is how Intune measures that, and what a 'require compliant device' Conditional Access grant "
        "relies on. An unassigned policy evaluates no device."
    ),
    remediation=(
        "Intune admin center > Devices > Compliance > Create policy for each platform in use: Windows 'Require "
        "BitLocker' and 'Require encryption of data storage on device', 'Require a password to unlock mobile "
        "devices'; macOS/Android 'Require encryption' and a password; iOS 'Require a passcode'. Assign each policy "
        "to all users or all devices, and set 'Mark devices with no compliance policy assigned as' Not compliant."
    ),
)
def check(tenant: Resource, ctx: Context) -> Verdict:
    policies = graph_list(tenant, DEVICE_COMPLIANCE_POLICIES, EXPECTED)
    if isinstance(policies, Verdict):
        return policies
    if policies and not any("assignments" in p for p in policies):
        return Verdict(
            Status.UNKNOWN, PATH, None, EXPECTED, "policy assignments were not collected ($expand=assignments)"
        )
    assigned = [p for p in policies if isinstance(p.get("assignments"), list) and p["assignments"]]
    if not assigned:
        return Verdict(Status.FAIL, PATH, {}, EXPECTED, "no device compliance policy is assigned")
    problems: dict[str, str] = {}
    unsure: list[str] = []
    for policy in assigned:
        name = str(policy.get("displayName") or policy.get("id"))
        problem = _problem(policy)
        if problem == "":
            unsure.append(f"{name} ({policy.get('@odata.type')})")
        elif problem is not None:
            problems[name] = problem
    if problems:
        return Verdict(Status.FAIL, PATH, problems, EXPECTED, "; ".join(f"{k} {v}" for k, v in problems.items()))
    if unsure:
        return Verdict(Status.UNKNOWN, PATH, unsure, EXPECTED, f"platform settings not judged for {unsure}")
    names = sorted(str(p.get("displayName") or p.get("id")) for p in assigned)
    return Verdict(Status.PASS, PATH, names, EXPECTED)

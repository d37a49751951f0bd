from collections.abc import Mapping

from hipaa_scan.engine import (
    SUBSCRIPTION_TYPE,
    Check,
    Context,
    Resource,
    Status,
    Verdict,
    defender_plan,
    equals,
    find_pricing,
    lookup,
    rule,
    unknown,
)

PLAN = "StorageAccounts"
EXTENSIONS = ("OnUploadMalwareScanning", "SensitiveDataDiscovery")
PATH = f"Microsoft.Security/pricings/{PLAN}: properties.extensions[].isEnabled"
EXPECTED = f"extensions {list(EXTENSIONS)} isEnabled == 'True'"


@rule(
    id="DEF-05",
    title="Defender for Storage v2 with malware scanning + sensitive data discovery",
    severity="high",
    resource_types=[SUBSCRIPTION_TYPE],
    reads=["Microsoft.Security/pricings"],
    citations=["164.308(a)(5)(ii)(B)", "164.308(a)(6)(ii)"],
    rationale=(
        "Defender for Storage v2 scans uploads for malware and discovers where ePHI sits, so threats to "
        "storage accounts holding ePHI are detected and prioritised."
    ),
    remediation=(
        "az security pricing create --name StorageAccounts --tier Standard --subplan DefenderForStorageV2 "
        "--extensions name=OnUploadMalwareScanning isEnabled=True --extensions name=SensitiveDataDiscovery isEnabled=True"
    ),
)
def check(subscription: Resource, ctx: Context) -> Verdict:
    plan = defender_plan(subscription, ctx, PLAN, extra=[Check("properties.subPlan", equals("DefenderForStorageV2"))])
    if plan.status is not Status.PASS:
        return plan
    pricing = find_pricing(subscription, ctx, PLAN)
    assert pricing is not None  # defender_plan passed, so the plan exists
    found = lookup(pricing, "properties.extensions")
    if not found.found or not isinstance(found.value, list):
        return unknown(PATH, "plan extensions were not in the input", EXPECTED)
    state = {str(e.get("name", "")).lower(): e.get("isEnabled") for e in found.value if isinstance(e, Mapping)}
    observed = {name: state.get(name.lower()) for name in EXTENSIONS}
    off = [name for name, value in observed.items() if not equals(True)(value)]
    if off:
        return Verdict(Status.FAIL, PATH, observed, EXPECTED, f"extensions not enabled: {off}")
    return Verdict(Status.PASS, PATH, observed, EXPECTED)

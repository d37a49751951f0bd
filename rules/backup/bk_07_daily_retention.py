from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    Context,
    Resource,
    Status,
    Verdict,
    lookup,
    lookup_in,
    not_applicable,
    rule,
    unknown,
)

PATH = "properties.retentionPolicy.dailySchedule.retentionDuration"
DAYS_PER = {"days": 1, "weeks": 7, "months": 30, "years": 365}


def _days(duration: Any) -> int | None:
    """A RetentionDuration ({count, durationType}) in days, or None when unreadable."""
    if not isinstance(duration, Mapping):
        return None
    count, unit = duration.get("count"), duration.get("durationType")
    if isinstance(count, bool) or not isinstance(count, int) or not isinstance(unit, str):
        return None
    per = DAYS_PER.get(unit.lower())
    return None if per is None else count * per


def _base_retention(retention: Mapping[str, Any]) -> tuple[str, int | None]:
    """(path, days) of the most frequent schedule's retention in one retention policy."""
    for schedule in ("dailySchedule", "weeklySchedule"):
        found = lookup_in(retention, f"{schedule}.retentionDuration")
        if found.found:
            return f"retentionPolicy.{schedule}.retentionDuration", _days(found.value)
    # SimpleRetentionPolicy (log backups, some workload types) keeps every point for one duration.
    found = lookup_in(retention, "retentionDuration")
    return "retentionPolicy.retentionDuration", _days(found.value) if found.found else None


def _retention_policy(policy: Resource) -> tuple[str, Mapping[str, Any]] | None:
    """The retention policy of the full/regular backups: the policy's own, or the
    'Full' sub-policy of a workload (SQL / SAP HANA in VM) policy."""
    own = lookup(policy, "properties.retentionPolicy")
    if own.found and isinstance(own.value, Mapping):
        return "properties.", own.value
    subs = lookup(policy, "properties.subProtectionPolicy")
    for sub in subs.value if isinstance(subs.value, list) else []:
        if isinstance(sub, Mapping) and str(sub.get("policyType", "")).lower() == "full":
            retention = sub.get("retentionPolicy")
            if isinstance(retention, Mapping):
                return "properties.subProtectionPolicy[Full].", retention
    return None


@rule(
    id="BK-07",
    title="Backup policy daily retention >= 30 days",
    severity="medium",
    resource_types=["Microsoft.RecoveryServices/vaults/backupPolicies"],
    citations=["164.308(a)(7)(ii)(A)"],
    rationale=(
        "The data backup plan needs retrievable exact copies of ePHI from before an incident is noticed; "
        "ransomware and silent corruption are often found weeks later, so the regular recovery points are kept "
        "at least backup_retention_days (organization policy, default 30, the catalogue's minimum and what the "
        "vault's own DefaultPolicy keeps). A policy that protects no item is not applicable."
    ),
    remediation=(
        "az backup policy set --vault-name <vault> --resource-group <rg> --name <policy> --policy @policy.json, "
        'with retentionPolicy.dailySchedule.retentionDuration {"count": 30, "durationType": "Days"} or more'
    ),
)
def check(policy: Resource, ctx: Context) -> Verdict:
    minimum = ctx.settings.backup_retention_days
    expected = f"retention of the regular (daily, else weekly) recovery points >= {minimum} days"
    if not policy.properties_collected:
        return unknown(PATH, "properties were not in the input", expected)
    protected = lookup(policy, "properties.protectedItemsCount")
    if protected.found and protected.value == 0 and not isinstance(protected.value, bool):
        return not_applicable("properties.protectedItemsCount", 0, "the policy protects no item", expected)
    found = _retention_policy(policy)
    if found is None:
        return unknown(PATH, "the policy has no readable retention policy in the input", expected)
    prefix, retention = found
    where, days = _base_retention(retention)
    path = prefix + where
    if days is None:
        return unknown(path, "retention duration missing or not a count with a known durationType", expected)
    if days >= minimum:
        return Verdict(Status.PASS, path, days, expected)
    return Verdict(Status.FAIL, path, days, expected, f"recovery points are kept {days} days")

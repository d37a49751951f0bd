from collections.abc import Mapping
from typing import Any

from hipaa_scan.engine import (
    Context,
    Presence,
    Resource,
    Status,
    Verdict,
    equals,
    lookup,
    lookup_in,
    not_applicable,
    rule,
    unknown,
)

ACCOUNTS = "Microsoft.Storage/storageAccounts"
POLICIES = "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"
VERSIONING = "properties.immutableStorageWithVersioning.enabled"
EXPECTED = (
    "version-level immutability enabled on the account or the container, OR a Locked time-based "
    "immutability policy on the container"
)
# Azure Monitor (diagnostic settings, Activity Log) and SQL auditing write audit logs to these containers.
AUDIT_NAMES = ("insights-activity-logs", "sqldbauditlogs")
AUDIT_PREFIXES = ("insights-logs-",)
# Tag or metadata keys that classify data (compared without case, '-', '_' or spaces), as GOV-09.
CLASSIFICATION_KEYS = frozenset({"dataclassification", "classification", "datasensitivity", "sensitivity"})


def _phi_label(labels: Any) -> str | None:
    """'key=value' of a classification tag or metadata entry whose value marks PHI/ePHI/HIPAA data."""
    if not isinstance(labels, Mapping):
        return None
    for key, value in labels.items():
        normal = str(key).lower().replace("-", "").replace("_", "").replace(" ", "")
        if (
            normal in CLASSIFICATION_KEYS
            and isinstance(value, str)
            and ("phi" in value.lower() or "hipaa" in value.lower())
        ):
            return f"{key}={value}"
    return None


def _time_based(container: Resource, ctx: Context) -> tuple[Any, Any, str] | None:
    """(state, period in days, where) of the container's time-based policy: the
    immutabilityPolicies/default child when present, else the copy the container carries."""
    for child in ctx.children(container, POLICIES).items:
        if child.name.lower() == "default" and child.properties_collected:
            props = lookup(child, "properties").value
            if isinstance(props, Mapping):
                return (
                    props.get("state"),
                    props.get("immutabilityPeriodSinceCreationInDays"),
                    "immutabilityPolicies/default",
                )
    inline = lookup(container, "properties.immutabilityPolicy.properties")
    if inline.found and isinstance(inline.value, Mapping):
        period = lookup_in(inline.value, "immutabilityPeriodSinceCreationInDays").value
        return inline.value.get("state"), period, "properties.immutabilityPolicy"
    return None


@rule(
    id="ST-14",
    title="Blob immutability (WORM) configured for PHI/audit containers",
    severity="medium",
    resource_types=["Microsoft.Storage/storageAccounts/blobServices/containers"],
    reads=[ACCOUNTS, POLICIES],
    citations=["164.312(c)(1)", "164.312(c)(2)", "164.308(a)(7)(ii)(A)"],
    rationale=(
        "Write-once-read-many storage keeps ePHI and audit logs from being altered or deleted, by mistake, by "
        "ransomware or by an insider covering their tracks, until the retention period ends. The rule applies to "
        "audit-log containers (Azure Monitor's insights-logs-* and insights-activity-logs, SQL auditing's "
        "sqldbauditlogs) and to containers whose account tags or container metadata classify the data as PHI "
        "(a dataClassification / classification / dataSensitivity / sensitivity value containing 'PHI' or "
        "'HIPAA'); other containers are not applicable. An Unlocked time-based policy or a legal hold can be "
        "removed, so only a Locked policy counts; HIPAA sets no period, so any Locked period passes."
    ),
    remediation=(
        "az storage container immutability-policy create --account-name <account> --container-name <container> "
        "--resource-group <rg> --period <days>, then az storage container immutability-policy lock ... --if-match "
        "<etag>; or enable version-level immutability (az storage account update --name <account> "
        "--resource-group <rg> --enable-alw true --immutability-period <days> --immutability-state Locked)"
    ),
)
def check(container: Resource, ctx: Context) -> Verdict:
    at = container.key.find("/blobservices/")
    account = ctx.get(container.id[:at]) if at > 0 else None
    name = container.name.lower()
    audit = name in AUDIT_NAMES or name.startswith(AUDIT_PREFIXES)
    phi = _phi_label(lookup(container, "properties.metadata").value) or (
        _phi_label(account.raw.get("tags")) if account is not None else None
    )
    if not audit and not phi:
        if account is None:
            return unknown("tags", "the storage account (and its classification tags) is not in the input", EXPECTED)
        return not_applicable(
            "tags", None, "not an audit-log container and not classified as PHI by account tags or container metadata"
        )
    if not container.properties_collected:
        return unknown("properties", "properties were not in the input", EXPECTED)
    if account is not None and equals(True)(lookup(account, VERSIONING).value):
        return Verdict(Status.PASS, f"account {VERSIONING}", True, EXPECTED)
    if equals(True)(lookup(container, VERSIONING).value):
        return Verdict(Status.PASS, VERSIONING, True, EXPECTED)
    policy = _time_based(container, ctx)
    has_policy = lookup(container, "properties.hasImmutabilityPolicy")
    hold = equals(True)(lookup(container, "properties.hasLegalHold").value)
    note = "; a legal hold is set, but it can be cleared at any time" if hold else ""
    if policy is not None:
        state, period, where = policy
        observed = {"state": state, "immutabilityPeriodSinceCreationInDays": period}
        if equals("Locked")(state):
            return Verdict(Status.PASS, f"{where}.state", observed, EXPECTED)
        if equals("Unlocked")(state):
            return Verdict(
                Status.FAIL,
                f"{where}.state",
                observed,
                EXPECTED,
                "the time-based policy is Unlocked and can be deleted" + note,
            )
        return Verdict(Status.UNKNOWN, f"{where}.state", observed, EXPECTED, "policy state not in the input")
    if equals(True)(has_policy.value):
        return unknown(
            "properties.hasImmutabilityPolicy", "a policy exists but its state was not in the input", EXPECTED
        )
    if account is None:
        return unknown(f"account {VERSIONING}", "the storage account is not in the input", EXPECTED)
    if has_policy.presence is Presence.FOUND:
        reason = ("audit-log container" if audit else f"classified {phi}") + " without immutability" + note
        return Verdict(Status.FAIL, "properties.hasImmutabilityPolicy", has_policy.value, EXPECTED, reason)
    return unknown(
        "properties.hasImmutabilityPolicy", "the container's immutability properties were not in the input", EXPECTED
    )

from datetime import UTC, datetime, timedelta

from hipaa_scan.engine import Context, Resource, Status, Verdict, lookup, one_of, rule, unknown

MAX_AGE = timedelta(hours=48)
PROPS = "properties"
PATH = "properties.lastBackupTime & properties.lastBackupStatus"
EXPECTED = "lastBackupTime within 48 hours of the scan AND lastBackupStatus in ['Completed', 'Healthy']"
SUCCEEDED = one_of("Completed", "Healthy")
NOT_BACKING_UP = {
    "protectionstopped": "protection is stopped: no new backups are taken",
    "protectionpaused": "protection is paused: no new backups are taken",
    "irpending": "the initial backup has not completed",
}


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@rule(
    id="BK-08",
    title="Most recent backup <= 48 hours old and healthy (NPRM-readiness)",
    severity="medium",
    resource_types=["Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"],
    citations=["164.308(a)(7)(ii)(A)"],
    rationale=(
        "A backup plan is only as good as its latest successful copy: each protected item's last backup must "
        "have succeeded within 48 hours of the scan (the window of the 2025 HIPAA Security Rule NPRM; the rule "
        "uses the scan clock). Stopped or paused protection, a pending initial backup and an 'ActionRequired' "
        "health status fail."
    ),
    remediation=(
        "Investigate the failed or missing job (az backup job list --vault-name <vault> --resource-group <rg> "
        "--status Failed), fix the cause, then run az backup protection backup-now --vault-name <vault> "
        "--resource-group <rg> --container-name <container> --item-name <item> --retain-until <dd-mm-yyyy>; "
        "resume protection for stopped items that still hold ePHI."
    ),
)
def check(item: Resource, ctx: Context) -> Verdict:
    if not item.properties_collected:
        return unknown(PATH, "properties were not in the input", EXPECTED)
    state = lookup(item, f"{PROPS}.protectionState")
    if state.found and str(state.value).lower() in NOT_BACKING_UP:
        reason = NOT_BACKING_UP[str(state.value).lower()]
        return Verdict(Status.FAIL, f"{PROPS}.protectionState", state.value, EXPECTED, reason)
    when, status = lookup(item, f"{PROPS}.lastBackupTime"), lookup(item, f"{PROPS}.lastBackupStatus")
    moment = _parse(when.value)
    if moment is None:
        reason = "lastBackupTime is not a timestamp" if when.found else "lastBackupTime was not in the input"
        return unknown(f"{PROPS}.lastBackupTime", reason, EXPECTED)
    age_hours = round((ctx.now - moment).total_seconds() / 3600, 1)
    observed = {"lastBackupTime": when.value, "lastBackupStatus": status.value, "ageHours": age_hours}
    if ctx.now - moment > MAX_AGE:
        return Verdict(Status.FAIL, PATH, observed, EXPECTED, f"last backup {age_hours} hours before the scan")
    if not status.found:
        return Verdict(Status.UNKNOWN, PATH, observed, EXPECTED, "lastBackupStatus was not in the input")
    if not SUCCEEDED(status.value):
        return Verdict(Status.FAIL, PATH, observed, EXPECTED, f"last backup status '{status.value}'")
    health = lookup(item, f"{PROPS}.healthStatus")
    if health.found and str(health.value).lower() in ("actionrequired", "invalid"):
        return Verdict(Status.FAIL, f"{PROPS}.healthStatus", health.value, EXPECTED, "backup health needs action")
    return Verdict(Status.PASS, PATH, observed, EXPECTED)

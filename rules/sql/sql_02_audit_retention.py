from hipaa_scan.engine import (
    Context,
    Expectation,
    Presence,
    Resource,
    Status,
    Verdict,
    combine_all,
    equals,
    judge,
    lookup,
    named_children,
    non_empty,
    rule,
)

AUDITING = "Microsoft.Sql/servers/auditingSettings"
PATH = f"{AUDITING}/default"
RETENTION = Expectation(
    "== 0 (unlimited) or >= 90",
    lambda v: not isinstance(v, bool) and (int(v) == 0 or int(v) >= 90),
)
EXPECTED = f"properties.retentionDays {RETENTION.description} when auditing to a storage account"


@rule(
    id="SQL-02",
    title="SQL audit retention >= 90 days (or unlimited / Log Analytics)",
    severity="medium",
    resource_types=["Microsoft.Sql/servers"],
    reads=["Microsoft.Sql/servers/auditingSettings"],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "Audit records of ePHI access must outlive the incidents they document; "
        "storage-account audit logs kept under 90 days expire before most reviews."
    ),
    remediation="az sql server audit-policy update --name <server> --resource-group <rg> --retention-days 90 (0 keeps logs forever)",
)
def check(server: Resource, ctx: Context) -> Verdict:
    related = ctx.children(server, AUDITING)
    settings = named_children(server, related, "default")
    if not settings:
        if related.complete:
            return Verdict(
                Status.NOT_APPLICABLE, PATH, None, EXPECTED, "auditing is not configured (SQL-01 reports it)"
            )
        return Verdict(Status.UNKNOWN, PATH, None, EXPECTED, f"{PATH} was not in the input")
    setting = settings[0]
    state = lookup(setting, "properties.state")
    if state.found and not equals("Enabled")(state.value):
        return Verdict(
            Status.NOT_APPLICABLE,
            f"{PATH}: {state.path}",
            state.value,
            EXPECTED,
            "auditing is disabled (SQL-01 reports it)",
        )
    # retentionDays applies only to the storage-account destination; Log Analytics
    # and Event Hub retention is configured at the destination (MON-09).
    storage = lookup(setting, "properties.storageEndpoint")
    if storage.presence is Presence.MISSING or (storage.found and not non_empty()(storage.value)):
        reason = "no storage destination; retention is set on the Log Analytics workspace (MON-09)"
        return Verdict(Status.NOT_APPLICABLE, f"{PATH}: {storage.path}", storage.value, EXPECTED, reason)
    verdict = combine_all([judge(state, equals("Enabled")), judge(storage, non_empty())])
    if verdict.status is Status.PASS:
        verdict = judge(lookup(setting, "properties.retentionDays"), RETENTION)
    return Verdict(verdict.status, f"{PATH}: {verdict.path}", verdict.observed, verdict.expected, verdict.message)

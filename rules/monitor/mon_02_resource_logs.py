from hipaa_scan.engine import (
    DIAGNOSTIC_SETTINGS,
    Context,
    Resource,
    Status,
    Verdict,
    exported_logs,
    rule,
    unknown,
)

PATH = f"{DIAGNOSTIC_SETTINGS}[].properties.logs[]"
EXPECTED = "a diagnostic setting sending at least one enabled log category or group to a destination"
DATABASES = "microsoft.sql/servers/databases"


@rule(
    id="MON-02",
    title="Resource diagnostic logs enabled for every PHI-bearing resource",
    severity="high",
    # PHI data stores no narrower rule already checks for resource logs: Key Vault (KV-12),
    # FHIR (FHIR-07), App Service (APP-08), Azure ML (ML-08) and blob services (ST-18) have
    # their own; a storage account itself exports only metrics.
    resource_types=[
        "Microsoft.Sql/servers/databases",
        "Microsoft.Sql/managedInstances",
        "Microsoft.DocumentDB/databaseAccounts",
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "Microsoft.DBforMySQL/flexibleServers",
    ],
    reads=[DIAGNOSTIC_SETTINGS],
    citations=["164.312(b)", "164.308(a)(1)(ii)(D)"],
    rationale=(
        "Resource logs (data-plane requests, audit and error events) of the databases holding ePHI are only "
        "examinable if a diagnostic setting sends them to a workspace, storage account or event hub; Azure "
        "keeps none of them otherwise."
    ),
    remediation=(
        "az monitor diagnostic-settings create --name phi-logs --resource <resource-id> --workspace <workspace-id> "
        '--logs \'[{"categoryGroup":"allLogs","enabled":true}]\''
    ),
)
def check(resource: Resource, ctx: Context) -> Verdict:
    if resource.type_key == DATABASES and resource.name.lower() == "master":
        # The server-level audit that master's settings carry is SQL-01's subject.
        return Verdict(Status.NOT_APPLICABLE, PATH, resource.name, EXPECTED, "master is a system database")
    related = ctx.extensions(resource, DIAGNOSTIC_SETTINGS)
    if not related.known:
        return unknown(PATH, "diagnostic settings for this resource were not in the input", EXPECTED)
    observed: dict[str, list[str]] = {}
    for setting in related.items:
        observed[setting.name] = sorted(exported_logs(setting))
        if observed[setting.name]:
            return Verdict(Status.PASS, PATH, {setting.name: observed[setting.name]}, EXPECTED)
    message = "no diagnostic setting exists" if not related.items else "no enabled log with a destination"
    return Verdict(Status.FAIL, PATH, observed, EXPECTED, message)

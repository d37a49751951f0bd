"""The collection plan derives from the rules, and secrets never pass the redactor.

End-to-end collection against the local emulator is in tests/test_collect_live.py."""

from __future__ import annotations

from hipaa_scan.collector.catalogue import ARM_DETAIL_TYPES
from hipaa_scan.collector.clouds import CLOUDS, resolve_cloud
from hipaa_scan.collector.plan import RuleNeeds, build_plan
from hipaa_scan.collector.redact import MARKER, redact
from hipaa_scan.engine import load_rule_pack

PACK = load_rule_pack()
PLAN = build_plan([RuleNeeds(r.resource_types, r.reads) for r in PACK.rules])


def test_plan_fetches_exactly_what_rules_read() -> None:
    read = {t.lower() for r in PACK.rules for t in (*r.resource_types, *r.reads)}
    details = {c.type_key for c in PLAN.details}
    assert details == read & set(ARM_DETAIL_TYPES)
    assert PLAN.inventory_types <= read | {t for c in PLAN.details for t in c.scope_types}
    # Diagnostic settings are listed only on the types whose rules read them.
    diag = next(c for c in PLAN.details if c.type_key == "microsoft.insights/diagnosticsettings")
    readers = {
        t.lower() for r in PACK.rules if "Microsoft.Insights/diagnosticSettings" in r.reads for t in r.resource_types
    }
    assert diag.scope_types == readers
    assert not PLAN.unsupported
    # Microsoft Graph: exactly the datasets identity rules declare (no registration details: no rule reads them).
    declared = {
        t.split("/", 1)[1]
        for r in PACK.rules
        for t in r.reads
        if t.startswith("Microsoft.Graph/") and t != "Microsoft.Graph/tenant"
    }
    assert set(PLAN.graph_datasets) == declared
    assert "userRegistrationDetails" not in PLAN.graph_datasets


def test_a_pack_without_identity_rules_skips_graph_and_lists_only_its_children() -> None:
    sql_only = [r for r in PACK.rules if r.id.startswith("SQL-")]
    plan = build_plan([RuleNeeds(r.resource_types, r.reads) for r in sql_only])
    assert plan.graph_datasets == ()
    read = {t.lower() for r in sql_only for t in r.reads}
    # SQL-18 follows the TDE protector to its Key Vault key; nothing else outside SQL is listed.
    assert {c.type_key for c in plan.details} == read & set(ARM_DETAIL_TYPES)
    assert "microsoft.insights/diagnosticsettings" not in {c.type_key for c in plan.details}


def test_child_and_extension_paths() -> None:
    by_type = {c.type_key: c for c in PLAN.details}
    server = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/sql1"
    assert by_type["microsoft.sql/servers/auditingsettings"].path(server, "Microsoft.Sql/servers/auditingSettings") == (
        f"{server}/auditingSettings"
    )
    assert by_type["microsoft.insights/diagnosticsettings"].path(server, "Microsoft.Insights/diagnosticSettings") == (
        f"{server}/providers/Microsoft.Insights/diagnosticSettings"
    )


def test_sovereign_clouds_and_custom_endpoints() -> None:
    gov = resolve_cloud("AzureUSGovernment")
    assert gov.arm_scope == "https://management.usgovcloudapi.net/.default" and gov.well_known
    assert resolve_cloud("AzureChinaCloud").graph_endpoint == "https://microsoftgraph.chinacloudapi.cn"
    private = resolve_cloud(
        "AzureCloud", arm_endpoint="https://arm.contoso.local/", authority_host="https://login.contoso.local"
    )
    assert private.arm_endpoint == "https://arm.contoso.local" and not private.well_known
    assert set(CLOUDS) == {"AzureCloud", "AzureUSGovernment", "AzureChinaCloud"}


def test_redaction_replaces_secrets_and_keeps_settings_visible() -> None:
    site = {
        "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Web/sites/app",
        "properties": {
            "httpsOnly": True,
            "siteConfig": {
                "appSettings": [{"name": "DB_PASSWORD", "value": "hunter2"}],
                "connectionStrings": [
                    {"name": "db", "connectionString": "Server=x;Password=hunter2", "type": "SQLAzure"}
                ],
            },
        },
        "tags": {"backup": "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=abcdef"},
    }
    account = {"properties": {"allowSharedKeyAccess": False, "primaryKey": "c2VjcmV0", "minimumTlsVersion": "TLS1_2"}}
    cleaned, count = redact(site)
    text = repr(cleaned)
    assert "hunter2" not in text and "sig=abcdef" not in text and count == 3
    assert cleaned["properties"]["httpsOnly"] is True
    assert cleaned["properties"]["siteConfig"]["appSettings"] == [{"name": "DB_PASSWORD", "value": MARKER}]
    cleaned, count = redact(account)
    assert cleaned["properties"] == {"allowSharedKeyAccess": False, "primaryKey": MARKER, "minimumTlsVersion": "TLS1_2"}
    assert count == 1
    cosmos = {"properties": {"keysMetadata": {"primaryMasterKey": {"generationTime": "2026-01-01T00:00:00Z"}}}}
    assert redact(cosmos) == (cosmos, 0)


def test_children_of_an_inventory_that_failed_are_not_complete() -> None:
    from hipaa_scan.collector.collect import _complete, _Coverage
    from hipaa_scan.collector.paging import Failure

    coverage = _Coverage()
    coverage.record("/subscriptions/a", "Microsoft.Sql/servers", Failure(429, "throttled after retries"))
    complete = _complete(PLAN, ["a", "b"], coverage)
    # Without the servers of subscription a, "no auditing settings" there means nothing.
    assert "Microsoft.Sql/servers" not in complete["a"]
    assert "Microsoft.Sql/servers/auditingSettings" not in complete["a"]
    assert "Microsoft.Sql/servers/auditingSettings" in complete["b"]
    assert "Microsoft.Security/pricings" in complete["a"]  # subscription-scope: independent of the inventory

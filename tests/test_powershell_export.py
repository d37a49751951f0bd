"""Az PowerShell exports (``Get-AzResource -ExpandProperties | ConvertTo-Json -Depth 100``):
detection, conversion of PSResource objects to ARM shape, rules over the result,
the CLI end to end, and one clear error line for every malformed object."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, INPUTS

from hipaa_scan.cli import main
from hipaa_scan.engine import Presence, ResourceIndex, Settings, load_rule_pack, lookup, run_rules
from hipaa_scan.errors import InputError
from hipaa_scan.loaders import load_inputs
from hipaa_scan.loaders.powershell import is_powershell_export, powershell_resources
from hipaa_scan.model import Resource, Snapshot, Status
from hipaa_scan.reporting.json_report import read_findings

FIXTURE = INPUTS / "az-powershell.json"
SUB = "5b2e1f40-8c7d-4e59-9a31-6f0c2d8e7b14"
PROD = f"/subscriptions/{SUB}/resourceGroups/rg-phi-prod/providers"
VAULT_ID = f"{PROD}/Microsoft.KeyVault/vaults/kv-phi-keys"
THIN_ID = f"/subscriptions/{SUB}/resourceGroups/rg-phi-dev/providers/Microsoft.KeyVault/vaults/kv-phi-dev"
SQL_ID = f"{PROD}/Microsoft.Sql/servers/sql-phi-prod"
STORAGE_ID = f"{PROD}/Microsoft.Storage/storageAccounts/stphiprod01"
PACK = load_rule_pack()
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _fixture() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(FIXTURE.read_text())
    return data


def _by_id(resources: Any, rid: str) -> Resource:
    return next(r for r in resources if r.key == rid.lower())


def _ps(rid: str, rtype: str, **extra: Any) -> dict[str, Any]:
    """A PSResource as ConvertTo-Json writes it (the fields rules need)."""
    obj: dict[str, Any] = {
        "ResourceId": rid,
        "Id": rid,
        "Name": rid.rsplit("/", 1)[-1],
        "ResourceType": rtype,
        "Type": rtype,
        "ExtensionResourceType": None,
        "Properties": {},
    }
    obj.update(extra)
    return obj


def _verdicts(resources: list[Resource], rule_ids: list[str]) -> dict[tuple[str, str], Status]:
    snapshot = Snapshot(resources=tuple(resources), inputs=())
    rules = [PACK.by_id()[r] for r in rule_ids]
    findings = run_rules(snapshot, rules, settings=Settings(allowed_locations=frozenset()), now=NOW, debug=True)
    return {(f.rule_id, f.resource_id.lower()): f.status for f in findings}


# -- detection ----------------------------------------------------------------------


def test_detects_array_single_object_and_the_powershell_51_wrapper() -> None:
    items = _fixture()
    assert is_powershell_export(items)
    assert is_powershell_export(items[0])  # Get-AzResource -ResourceId … | ConvertTo-Json
    assert is_powershell_export({"value": items, "Count": len(items)})
    assert is_powershell_export({"value": [], "Count": 0})
    assert is_powershell_export([items[:2], items[2:]])  # @($a, $b) | ConvertTo-Json in PowerShell 7
    assert is_powershell_export([{"value": items[:2], "Count": 2}])  # … and in Windows PowerShell 5.1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("az-resource-list.json", "az-cli"),
        ("resource-graph.json", "resource-graph"),
        ("arm-page.json", "arm-rest-list"),
        ("arm-template.json", "arm-template"),
    ],
)
def test_other_formats_are_not_taken_for_powershell(name: str, expected: str) -> None:
    assert not is_powershell_export(json.loads((INPUTS / name).read_text()))
    assert load_inputs([str(INPUTS / name)]).inputs[0].format == expected


def test_an_arm_object_with_a_resource_id_property_is_not_powershell() -> None:
    # Resource Graph projections may carry a resourceId column; lower-case id/type wins.
    row = {"id": VAULT_ID, "type": "Microsoft.KeyVault/vaults", "ResourceId": VAULT_ID, "ResourceType": "x"}
    assert not is_powershell_export(row)
    assert not is_powershell_export([row])
    body = json.loads((EXAMPLES / "keyvault_vaults_get.json").read_text())["responses"]["200"]["body"]
    assert not is_powershell_export(body)


# -- conversion -----------------------------------------------------------------------


def test_fixture_converts_to_arm_shape() -> None:
    snap = load_inputs([str(FIXTURE)])
    assert snap.inputs[0].format == "az-powershell"
    assert snap.inputs[0].resources == 6
    vault = _by_id(snap.resources, VAULT_ID)
    assert (vault.type, vault.name, vault.location) == ("Microsoft.KeyVault/vaults", "kv-phi-keys", "eastus2")
    assert vault.subscription_id == SUB
    assert vault.raw["properties"]["sku"] == {"family": "A", "name": "standard"}  # ARM camelCase kept
    assert vault.raw["tags"] == {"environment": "prod", "data-classification": "phi"}
    assert vault.raw["resourceGroup"] == "rg-phi-prod"
    assert not {"ResourceId", "TagsTable", "resources", "Properties"} & set(vault.raw)
    assert lookup(vault, "properties.enablePurgeProtection").value is True

    storage = _by_id(snap.resources, STORAGE_ID)
    assert storage.raw["sku"] == {"name": "Standard_GRS", "tier": "Standard"}
    assert storage.raw["kind"] == "StorageV2"
    assert storage.raw["identity"] == {
        "principalId": "0d6c3a8e-52f1-4b7e-9f20-3c81e4a5d697",
        "tenantId": "7c4a9e21-3b58-4f06-8d17-2e9b5c0a6f83",
        "type": "SystemAssigned",  # ConvertTo-Json wrote the enum as 0
    }


def test_nested_extension_and_child_are_flattened_and_indexed() -> None:
    snap = load_inputs([str(FIXTURE)])
    index = ResourceIndex(snap)
    vault = _by_id(snap.resources, VAULT_ID)
    diag = index.extensions(vault, "Microsoft.Insights/diagnosticSettings").items
    assert [(d.name, d.type) for d in diag] == [("kv-audit-to-law", "Microsoft.Insights/diagnosticSettings")]
    assert diag[0].id == f"{VAULT_ID}/providers/Microsoft.Insights/diagnosticSettings/kv-audit-to-law"
    server = _by_id(snap.resources, SQL_ID)
    audit = index.children(server, "Microsoft.Sql/servers/auditingSettings").items
    assert [a.id for a in audit] == [f"{SQL_ID}/auditingSettings/default"]  # built from the parent's id
    assert audit[0].raw["properties"]["state"] == "Enabled"
    assert audit[0].subscription_id == SUB


def test_resource_without_properties_is_not_collected() -> None:
    snap = load_inputs([str(FIXTURE)])
    thin = _by_id(snap.resources, THIN_ID)
    assert thin.properties_collected is False
    assert "properties" not in thin.raw
    assert thin.raw["subscriptionId"] == SUB  # PSResource(GenericResourceExpanded) leaves it null
    assert lookup(thin, "properties.enablePurgeProtection").presence is Presence.NOT_COLLECTED


def test_rule_pack_verdicts_over_the_fixture() -> None:
    resources = list(load_inputs([str(FIXTURE)]).resources)
    verdicts = _verdicts(resources, ["KV-02", "KV-05", "KV-12", "SQL-01", "ST-01"])
    assert verdicts[("KV-02", VAULT_ID.lower())] is Status.PASS
    assert verdicts[("KV-05", VAULT_ID.lower())] is Status.FAIL  # publicNetworkAccess Enabled
    assert verdicts[("KV-12", VAULT_ID.lower())] is Status.PASS  # via the nested diagnostic setting
    assert verdicts[("SQL-01", SQL_ID.lower())] is Status.PASS  # via the nested auditingSettings child
    assert verdicts[("ST-01", STORAGE_ID.lower())] is Status.PASS
    for rule in ("KV-02", "KV-05", "KV-12"):
        assert verdicts[(rule, THIN_ID.lower())] is Status.UNKNOWN


def test_single_extension_resource_from_get_by_id() -> None:
    # Get-AzResource -ResourceId <setting id> takes the GenericResource path: ResourceType is the
    # setting's own type, ExtensionResourceType and SubscriptionId stay null.
    rid = f"{SQL_ID}/providers/Microsoft.Insights/diagnosticSettings/sql-to-law"
    obj = _ps(rid, "Microsoft.Insights/diagnosticSettings", SubscriptionId=None)
    resources = powershell_resources(obj, "one.json")
    assert [(r.id, r.type, r.name) for r in resources] == [(rid, "Microsoft.Insights/diagnosticSettings", "sql-to-law")]


def test_extension_in_resource_jtoken_shape_takes_extension_type() -> None:
    rid = f"{SQL_ID}/providers/Microsoft.Insights/diagnosticSettings/sql-to-law"
    obj = _ps(
        rid,
        "Microsoft.Sql/servers",  # the scope's type, per ResourceIdUtility.GetResourceType
        ExtensionResourceType="Microsoft.Insights/diagnosticSettings",
        ExtensionResourceName="sql-to-law",
    )
    (setting,) = powershell_resources([obj], "x.json")
    assert setting.type == "Microsoft.Insights/diagnosticSettings"
    assert setting.id == rid


def test_windows_powershell_51_wrapper_dates_and_enum_identity() -> None:
    uami = f"/subscriptions/{SUB}/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"
    obj = _ps(
        STORAGE_ID,
        "Microsoft.Storage/storageAccounts",
        CreatedTime="/Date(1739286161157)/",
        ChangedTime={"value": "/Date(1759220049421)/", "DisplayHint": 2, "DateTime": "Tuesday, 30 September 2025"},
        Identity={
            "PrincipalId": "p",
            "TenantId": "t",
            "Type": 2,
            "UserAssignedIdentities": {uami: {"PrincipalId": "up", "ClientId": "uc"}},
        },
        Plan={"Name": "p1", "Publisher": "pub", "Product": "prod", "PromotionCode": None, "Version": None},
    )
    (storage,) = powershell_resources({"value": [obj], "Count": 1}, "ps51.json")
    assert storage.raw["createdTime"] == "2025-02-11T15:02:41.157Z"
    assert storage.raw["changedTime"] == "2025-09-30T08:14:09.421Z"
    assert storage.raw["identity"] == {
        "principalId": "p",
        "tenantId": "t",
        "type": "SystemAssigned, UserAssigned",
        "userAssignedIdentities": {uami: {"principalId": "up", "clientId": "uc"}},
    }
    assert storage.raw["plan"] == {"name": "p1", "publisher": "pub", "product": "prod"}


def test_enums_as_strings_identity_is_kept() -> None:
    obj = _ps(STORAGE_ID, "Microsoft.Storage/storageAccounts", Identity={"Type": "UserAssigned"})
    assert powershell_resources(obj, "x.json")[0].raw["identity"] == {"type": "UserAssigned"}


def test_nested_arrays_are_read_with_their_location(tmp_path: Path) -> None:
    items = _fixture()
    path = tmp_path / "two.json"
    path.write_text(json.dumps([{"value": items[:2], "Count": 2}, items[2:]]))
    snap = load_inputs([str(path)])
    assert snap.inputs[0].format == "az-powershell"
    assert len(snap.resources) == 6


def test_nested_children_without_ids_get_the_ids_arm_gives_them() -> None:
    server = _ps(
        SQL_ID,
        "Microsoft.Sql/servers",
        resources=[
            {"Name": "default", "ResourceType": "auditingSettings", "Properties": {"state": "Enabled"}},
            {"Name": "sql-phi-prod/db1", "ResourceType": "Microsoft.Sql/servers/databases", "Properties": {}},
            {
                "Name": "send-all",
                "ExtensionResourceType": "Microsoft.Insights/diagnosticSettings",
                "ResourceType": "Microsoft.Sql/servers",
                "Properties": {},
            },
            {"ExtensionResourceName": "no-delete", "ExtensionResourceType": "Microsoft.Authorization/locks"},
            # A nested ARM-shaped object (lower-case keys) from another namespace is an extension.
            {"name": "ds-arm", "type": "Microsoft.Insights/diagnosticSettings", "properties": {"logs": []}},
        ],
    )
    ids = [(r.id, r.type, r.name) for r in powershell_resources([server], "x.json")]
    assert ids == [
        (SQL_ID, "Microsoft.Sql/servers", "sql-phi-prod"),
        (f"{SQL_ID}/auditingSettings/default", "Microsoft.Sql/servers/auditingSettings", "default"),
        (f"{SQL_ID}/databases/db1", "Microsoft.Sql/servers/databases", "db1"),
        (
            f"{SQL_ID}/providers/Microsoft.Insights/diagnosticSettings/send-all",
            "Microsoft.Insights/diagnosticSettings",
            "send-all",
        ),
        (f"{SQL_ID}/providers/Microsoft.Authorization/locks/no-delete", "Microsoft.Authorization/locks", "no-delete"),
        (
            f"{SQL_ID}/providers/Microsoft.Insights/diagnosticSettings/ds-arm",
            "Microsoft.Insights/diagnosticSettings",
            "ds-arm",
        ),
    ]


def test_deep_nesting_does_not_exhaust_the_stack() -> None:
    root = _ps(SQL_ID, "Microsoft.Sql/servers")
    node = root
    for i in range(3000):
        child: dict[str, Any] = {"Name": f"n{i}", "ExtensionResourceType": "Microsoft.Authorization/locks"}
        node["resources"] = [child]
        node = child
    assert len(powershell_resources(root, "deep.json")) == 3001


# -- the CLI ------------------------------------------------------------------------


def test_cli_scans_the_fixture(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["scan", str(FIXTURE), "--out", str(out), "--now", "2026-01-01T00:00:00Z", "--fail-on", "never", "-q"]
    assert main(args) == 0
    report = json.loads((out / "hipaa-scan-report.json").read_text())
    assert report["manifest"]["inputs"][0]["format"] == "az-powershell"
    assert report["manifest"]["inputs"][0]["resources"] == 6
    kv02 = [f for f in read_findings(report) if f["rule_id"] == "KV-02"]
    assert {f["resource_id"].rsplit("/", 1)[-1]: f["status"] for f in kv02} == {
        "kv-phi-keys": "pass",
        "kv-phi-dev": "unknown",
    }


def _bad_cases() -> list[Any]:
    vault = _ps(VAULT_ID, "Microsoft.KeyVault/vaults")
    server = _ps(SQL_ID, "Microsoft.Sql/servers")

    def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
        return {**base, **changes}

    return [
        pytest.param(
            [with_(vault, ResourceId="subscriptions/x", Id=None)],
            "[0]: 'ResourceId' 'subscriptions/x' is not an ARM resource id",
            id="relative-id",
        ),
        pytest.param(
            [vault, with_(vault, ResourceType=None, Type=None)],
            f"[1] ({VAULT_ID}): 'ResourceType' is missing",
            id="no-type",
        ),
        pytest.param([with_(vault, ResourceId=None, Id=None)], "[0]: 'ResourceId' is missing", id="no-id-at-top-level"),
        pytest.param(
            with_(vault, ResourceType=5),
            f"resource ({VAULT_ID}): 'ResourceType' is a number, expected a string",
            id="single-object",
        ),
        pytest.param(
            [with_(vault, Properties="x")],
            f"[0] ({VAULT_ID}): 'Properties' is a string, expected an object",
            id="properties-string",
        ),
        pytest.param(
            [with_(vault, Properties={"sku": "@{family=A; name=standard}"})],
            "Properties.sku is '@{family=A; name=standard}', an object ConvertTo-Json cut off",
            id="depth-truncated",
        ),
        pytest.param(
            [with_(vault, Properties={"networkAcls": {"ipRules": ["System.Object[]"]}})],
            "Properties.networkAcls.ipRules[0] is 'System.Object[]'",
            id="depth-truncated-array",
        ),
        pytest.param(
            [with_(vault, Identity={"Type": 9})], f"[0] ({VAULT_ID}): 'Identity.Type' is 9", id="identity-enum"
        ),
        pytest.param([with_(vault, Sku="standard")], "'Sku' is a string, expected an object", id="sku-string"),
        pytest.param([with_(vault, Tags=["a"])], "'Tags' is an array, expected an object", id="tags-array"),
        pytest.param(
            [with_(server, resources={"Name": "x"})],
            f"[0] ({SQL_ID}): 'resources' is an object, expected an array",
            id="resources-object",
        ),
        pytest.param(
            [server, with_(server, resources=[{"Name": "default", "ResourceType": "auditingSettings"}, 7])],
            "[1].resources[1]: expected a PSResource object, got a number",
            id="nested-not-object",
        ),
        pytest.param(
            [with_(server, Resources=[{"ResourceType": "Microsoft.Sql/servers/auditingSettings"}])],
            "[0].Resources[0]: a nested resource needs a 'ResourceId' or a 'Name'",
            id="nested-no-name",
        ),
        pytest.param(
            [with_(server, resources=[{"Name": "x", "ResourceType": "Microsoft.Sql/managedInstances"}])],
            "[0].resources[0]: type 'Microsoft.Sql/managedInstances' is not a child of 'Microsoft.Sql/servers'",
            id="nested-not-a-child",
        ),
        pytest.param(
            {"value": [with_(vault, Name=3)], "Count": 1},
            f"value[0] ({VAULT_ID}): 'Name' is a number, expected a string",
            id="wrapper",
        ),
    ]


@pytest.mark.parametrize(("document", "problem"), _bad_cases())
def test_bad_input_is_one_line_naming_file_and_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any, problem: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    code = main(["scan", str(bad), "--out", str(tmp_path / "out"), "--now", "2026-01-01T00:00:00Z", "-q"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith(f"hipaa-scan: error: {bad}: ")
    assert problem in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_not_a_child_names_both_types() -> None:
    server = _ps(SQL_ID, "Microsoft.Sql/servers", resources=[{"Name": "x", "ResourceType": "Microsoft.Sql/other"}])
    with pytest.raises(InputError, match=r"type 'Microsoft\.Sql/other' is not a child of 'Microsoft\.Sql/servers'"):
        powershell_resources([server], "x.json")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_windows_powershell_encodings_load(tmp_path: Path, encoding: str) -> None:
    # `> file.json` in Windows PowerShell 5.1 writes UTF-16 with a BOM; Out-File -Encoding utf8 a UTF-8 BOM.
    path = tmp_path / "export.json"
    path.write_text(FIXTURE.read_text(encoding="utf-8"), encoding=encoding)
    snapshot = load_inputs([str(path)])
    assert snapshot.inputs[0].format == "az-powershell" and snapshot.resources

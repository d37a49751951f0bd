"""Format detection and parsing on real-shaped inputs, and one clear error
line for every kind of bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import EXAMPLES, INPUTS

from hipaa_scan.engine import Presence, ResourceIndex, lookup
from hipaa_scan.errors import InputError
from hipaa_scan.loaders import load_inputs
from hipaa_scan.model import Unresolved


def _by_name(snapshot, name):
    return next(r for r in snapshot.resources if r.name == name)


def test_resource_graph_output_keeps_lowercase_types_and_tenant() -> None:
    snap = load_inputs([str(INPUTS / "resource-graph.json")])
    assert snap.inputs[0].format == "resource-graph"
    assert len(snap.resources) == 3
    vault = _by_name(snap, "kv-graph")
    assert vault.type == "microsoft.keyvault/vaults"
    assert vault.type_key == "microsoft.keyvault/vaults"
    assert snap.tenants == ("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",)


def test_bare_array_and_properties_not_collected(tmp_path: Path) -> None:
    snap = load_inputs([str(INPUTS / "az-resource-list.json")])
    assert snap.inputs[0].format == "az-cli"
    vault = _by_name(snap, "kv-cli")
    assert vault.properties_collected is False
    assert lookup(vault, "properties.enablePurgeProtection").presence is Presence.NOT_COLLECTED


def test_arm_rest_page_with_child_resource() -> None:
    snap = load_inputs([str(INPUTS / "arm-page.json")])
    assert snap.inputs[0].format == "arm-rest-list"
    index = ResourceIndex(snap)
    server = _by_name(snap, "sql-page")
    audit = index.children(server, "microsoft.sql/servers/auditingsettings")
    assert [r.name for r in audit.items] == ["default"]


def test_rest_example_wrapper_single_and_list() -> None:
    snap = load_inputs([str(EXAMPLES / "keyvault_vaults_get.json"), str(EXAMPLES / "security_pricings_list.json")])
    formats = sorted(f.format for f in snap.inputs)
    assert formats == ["arm-rest-example/arm-resource", "arm-rest-example/arm-rest-list"]
    index = ResourceIndex(snap)
    pricing = next(r for r in snap.resources if r.type == "Microsoft.Security/pricings")
    subscription = index.subscription(pricing)
    assert subscription is not None
    assert index.extensions(subscription, "Microsoft.Security/pricings").items


def test_diagnostic_setting_is_an_extension_of_its_scope() -> None:
    snap = load_inputs([str(EXAMPLES / "insights_diagnosticSettings_get.json")])
    index = ResourceIndex(snap)
    setting = snap.resources[0]
    assert setting.type == "Microsoft.Insights/diagnosticSettings"
    from hipaa_scan.engine.index import parent_and_scope

    parent, scope = parent_and_scope(setting.id)
    assert parent is None
    assert (
        scope
        == "/subscriptions/1a66ce04-b633-4a0b-b2bc-a912ec8986a6/resourcegroups/viruela1/providers/microsoft.logic/workflows/viruela6"
    )
    assert len(index) == 2  # the setting and the derived subscription


def test_arm_template_resolves_literals_and_marks_the_rest_unresolved() -> None:
    snap = load_inputs([str(INPUTS / "arm-template.json")])
    assert snap.inputs[0].format == "arm-template"
    names = sorted(r.name for r in snap.resources)
    assert names == ["default", "default", "kv-tmpl", "kv-to-law", "sql-tmpl", "sttmpl01"]  # condition false skipped
    vault = _by_name(snap, "kv-tmpl")
    assert vault.id == "/subscriptions/template/resourceGroups/arm-template/providers/Microsoft.KeyVault/vaults/kv-tmpl"
    assert isinstance(vault.raw["location"], Unresolved)
    purge = lookup(vault, "properties.enablePurgeProtection")
    assert purge.presence is Presence.UNRESOLVED  # parameter without a default
    sql = _by_name(snap, "sql-tmpl")
    assert lookup(sql, "properties.minimalTlsVersion").value == "1.2"
    index = ResourceIndex(snap)
    diag = index.extensions(vault, "Microsoft.Insights/diagnosticSettings").items
    assert [d.name for d in diag] == ["kv-to-law"]
    assert (
        diag[0]
        .raw["properties"]["workspaceId"]
        .endswith("/providers/Microsoft.OperationalInsights/workspaces/law-tmpl")
    )
    storage = _by_name(snap, "sttmpl01")
    assert [c.type for c in index.children(storage, "Microsoft.Storage/storageAccounts/blobServices").items] == [
        "Microsoft.Storage/storageAccounts/blobServices"
    ]


def test_gzip_and_directory_inputs(tmp_path: Path) -> None:
    data = (INPUTS / "arm-page.json").read_bytes()
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "page.json.gz").write_bytes(gzip.compress(data))
    (tmp_path / "notes.txt").write_text("ignored")
    snap = load_inputs([str(tmp_path)])
    assert len(snap.resources) == 2
    assert snap.inputs[0].path.endswith("nested/page.json.gz")


def test_duplicate_ids_prefer_the_copy_with_properties(tmp_path: Path) -> None:
    thin = '[{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv", "type": "Microsoft.KeyVault/vaults", "properties": null}]'
    full = '{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/KV", "type": "Microsoft.KeyVault/vaults", "properties": {"enablePurgeProtection": true}}'
    (tmp_path / "a.json").write_text(thin)
    (tmp_path / "b.json").write_text(full)
    snap = load_inputs([str(tmp_path)])
    assert len(snap.resources) == 1
    assert snap.resources[0].properties_collected


def _write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("broken.json", b'{"value": [', "not valid JSON"),
        ("empty.json", b"   ", "file is empty"),
        ("truncated.json.gz", gzip.compress(b'{"value": []}' * 50)[:-12], "truncated gzip"),
        ("shape.json", b'{"hello": "world"}', "unrecognised JSON shape"),
        ("scalar.json", b"42", "top-level JSON is a number"),
        (
            "props.json",
            b'{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv", "type": "Microsoft.KeyVault/vaults", "properties": "x"}',
            "'properties' is a string, expected an object",
        ),
        (
            "noid.json",
            b'{"value": [{"type": "Microsoft.KeyVault/vaults"}]}',
            "value[0]: 'id' must be an ARM resource id",
        ),
        (
            "version.json",
            b'{"kind": "hipaa-scan-snapshot", "schema_version": 99, "manifest": {}, "resources": []}',
            "schema_version 99",
        ),
        (
            "tmpl.json",
            b'{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": {}}',
            "'resources' is an object",
        ),
    ],
)
def test_bad_input_names_the_file_and_the_problem(tmp_path: Path, name: str, content: bytes, problem: str) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(InputError) as caught:
        load_inputs([path])
    message = str(caught.value)
    assert message.startswith(path + ": ")
    assert problem in message
    assert "\n" not in message


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        load_inputs([str(tmp_path / "nope.json")])
    with pytest.raises(InputError, match=r"no \.json or \.json\.gz files"):
        load_inputs([str(tmp_path)])


def test_subscription_diagnostic_setting_quirks_are_repaired() -> None:
    # The real response has no leading '/', provider AzureResourceManager and type null.
    snap = load_inputs([str(EXAMPLES / "insights_subscriptionDiagnosticSettings_get.json")])
    setting = snap.resources[0]
    assert (
        setting.id
        == "/subscriptions/fb9f25f9-5785-4510-a38f-a62f188eb9f8/providers/Microsoft.Insights/diagnosticSettings/ds4"
    )
    assert setting.type == "Microsoft.Insights/diagnosticSettings"
    index = ResourceIndex(snap)
    subscription = index.subscription(setting)
    assert subscription is not None
    assert index.extensions(subscription, "Microsoft.Insights/diagnosticSettings").items == (setting,)


def test_completeness_claims_cover_only_their_own_subscriptions(tmp_path: Path) -> None:
    import json

    def snapshot(sub: str, complete: list[str]) -> dict:
        return {
            "kind": "hipaa-scan-snapshot",
            "schema_version": 1,
            "manifest": {"subscriptions": [sub], "complete_types": complete},
            "resources": [
                {
                    "id": f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
                    "type": "Microsoft.KeyVault/vaults",
                    "properties": {},
                }
            ],
        }

    (tmp_path / "a.json").write_text(json.dumps(snapshot("aaaa", ["Microsoft.Insights/diagnosticSettings"])))
    (tmp_path / "b.json").write_text(json.dumps(snapshot("bbbb", [])))
    snap = load_inputs([str(tmp_path)])
    index = ResourceIndex(snap)
    vaults = {r.subscription_id: r for r in snap.resources}
    assert index.extensions(vaults["aaaa"], "Microsoft.Insights/diagnosticSettings").complete
    assert not index.extensions(vaults["bbbb"], "Microsoft.Insights/diagnosticSettings").complete


def test_sample_tenant_snapshots_match_the_snapshot_schema() -> None:
    import json

    import jsonschema
    from conftest import SAMPLE

    import hipaa_scan

    schema = json.loads((Path(hipaa_scan.__file__).parent / "schemas" / "snapshot.schema.json").read_text())
    files = sorted(SAMPLE.glob("*.json"))
    assert len(files) == 3
    for path in files:
        jsonschema.validate(json.loads(path.read_text()), schema)

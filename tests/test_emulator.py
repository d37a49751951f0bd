"""The Azure emulator speaks the real protocols: every test drives it with the
real azure-identity / azure-core / azure-mgmt-* clients over HTTPS, trusting
only the emulator's CA (REQUESTS_CA_BUNDLE), as the live collector will."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.core import PipelineClient
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
from azure.core.rest import HttpRequest
from azure.identity import ClientSecretCredential, DefaultAzureCredential
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions
from conftest import SAMPLE

from emulator import AzureEmulator, Tenant, load_tenant, synthetic_tenant
from emulator.auth import unverified_claims
from emulator.process import emulator_process
from emulator.store import arg_row
from hipaa_scan import entra
from hipaa_scan.collector.catalogue import ARM_DETAIL_TYPES

REPO = Path(__file__).resolve().parent.parent
SQL_AUDITING = "2021-11-01"


@pytest.fixture(scope="module")
def emu() -> Iterator[AzureEmulator]:
    with AzureEmulator(synthetic_tenant(2, 40, seed=7)) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Default knobs and empty logs for every test; trust the emulator CA the way clients will."""
    if "emu" in request.fixturenames:
        emulator: AzureEmulator = request.getfixturevalue("emu")
        emulator.reset()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emulator.ca_path))
    yield


@pytest.fixture
def credential(emu: AzureEmulator) -> ClientSecretCredential:
    return ClientSecretCredential(
        emu.tenant_id, emu.client_id, emu.client_secret, authority=emu.login_url, disable_instance_discovery=True
    )


def _arm(emu: AzureEmulator, credential: Any) -> ARMPipelineClient[Any, Any]:
    return ARMPipelineClient(
        base_url=emu.arm_url,
        policies=[
            RetryPolicy(retry_backoff_factor=0.01),
            ARMChallengeAuthenticationPolicy(credential, f"{emu.arm_url}/.default"),
        ],
    )


def _graph(emu: AzureEmulator, credential: Any) -> PipelineClient[Any, Any]:
    return PipelineClient(
        base_url=emu.graph_url,
        policies=[
            RetryPolicy(retry_backoff_factor=0.01),
            BearerTokenCredentialPolicy(credential, f"{emu.graph_url}/.default"),
        ],
    )


def _rg_client(emu: AzureEmulator, credential: Any) -> ResourceGraphClient:
    return ResourceGraphClient(credential, base_url=emu.arm_url, credential_scopes=[f"{emu.arm_url}/.default"])


def _send(client: PipelineClient[Any, Any], method: str, url: str, **kwargs: Any) -> Any:
    """Send like generated SDK code does: relative paths are resolved against base_url."""
    return client.send_request(HttpRequest(method, client.format_url(url), **kwargs))


def _arm_list(client: ARMPipelineClient[Any, Any], url: str) -> tuple[list[dict[str, Any]], int]:
    """Follow nextLink like the collector will; return the items and the page count."""
    items: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        response = _send(client, "GET", next_url)
        response.raise_for_status()
        body = response.json()
        items += body["value"]
        pages += 1
        next_url = body.get("nextLink")
    return items, pages


def _of_type(tenant: Tenant, type_name: str) -> list[dict[str, Any]]:
    return [r for r in tenant.resources if r["type"].lower() == type_name.lower()]


# -- login ---------------------------------------------------------------------------


def test_client_secret_credential_gets_a_token_for_each_audience(
    emu: AzureEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")  # trust through connection_verify alone
    cred = ClientSecretCredential(
        emu.tenant_id,
        emu.client_id,
        emu.client_secret,
        authority=emu.login_url,
        disable_instance_discovery=True,
        connection_verify=str(emu.ca_path),
    )
    arm = cred.get_token(f"{emu.arm_url}/.default")
    graph = cred.get_token(f"{emu.graph_url}/.default")
    assert arm.expires_on > time.time() + 3000
    assert unverified_claims(arm.token)["aud"] == emu.arm_url
    assert unverified_claims(graph.token)["aud"] == emu.graph_url
    assert unverified_claims(arm.token)["tid"] == emu.tenant_id
    paths = [(r.server, r.method, r.path.split("?")[0], r.status) for r in emu.requests]
    assert ("login", "GET", f"/{emu.tenant_id}/v2.0/.well-known/openid-configuration", 200) in paths
    assert ("login", "POST", f"/{emu.tenant_id}/oauth2/v2.0/token", 200) in paths
    assert emu.violations == []


def test_default_azure_credential_from_env(emu: AzureEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    token = DefaultAzureCredential(disable_instance_discovery=True).get_token(f"{emu.arm_url}/.default")
    assert unverified_claims(token.token)["appid"] == emu.client_id


def test_wrong_secret_is_invalid_client(emu: AzureEmulator) -> None:
    bad = ClientSecretCredential(
        emu.tenant_id, emu.client_id, "not-the-secret", authority=emu.login_url, disable_instance_discovery=True
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        bad.get_token(f"{emu.arm_url}/.default")
    assert emu.requests[-1][1:] == ("POST", f"/{emu.tenant_id}/oauth2/v2.0/token", 401)


def test_token_endpoint_errors_and_openid_metadata(emu: AzureEmulator) -> None:
    token_url = f"{emu.login_url}/{emu.tenant_id}/oauth2/v2.0/token"
    form = {"grant_type": "client_credentials", "client_id": emu.client_id, "client_secret": emu.client_secret}
    ok = requests.post(token_url, data={**form, "scope": f"{emu.graph_url}/.default"}, timeout=10)
    assert ok.status_code == 200
    assert set(ok.json()) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    unknown = requests.post(token_url, data={**form, "scope": "https://management.azure.com/.default"}, timeout=10)
    assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_resource")
    no_default = requests.post(token_url, data={**form, "scope": f"{emu.arm_url}/user_impersonation"}, timeout=10)
    assert no_default.json()["error"] == "invalid_scope"
    wrong_tenant = requests.post(
        f"{emu.login_url}/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token", data=form, timeout=10
    )
    assert wrong_tenant.status_code == 400
    assert "AADSTS90002" in wrong_tenant.json()["error_description"]

    metadata = requests.get(f"{emu.login_url}/{emu.tenant_id}/v2.0/.well-known/openid-configuration", timeout=10).json()
    assert metadata["token_endpoint"] == token_url
    assert metadata["issuer"] == f"{emu.login_url}/{emu.tenant_id}/v2.0"
    assert metadata["authorization_endpoint"].endswith("/oauth2/v2.0/authorize")
    discovery = requests.get(
        f"{emu.login_url}/common/discovery/instance",
        params={
            "api-version": "1.1",
            "authorization_endpoint": f"{emu.login_url}/{emu.tenant_id}/oauth2/v2.0/authorize",
        },
        timeout=10,
    ).json()
    assert (
        discovery["tenant_discovery_endpoint"]
        == f"{emu.login_url}/{emu.tenant_id}/v2.0/.well-known/openid-configuration"
    )
    assert discovery["api-version"] == "1.1"


def test_arm_and_graph_refuse_each_others_tokens(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    graph_token = credential.get_token(f"{emu.graph_url}/.default").token
    arm_token = credential.get_token(f"{emu.arm_url}/.default").token
    url = f"{emu.arm_url}/subscriptions?api-version=2022-12-01"
    wrong = requests.get(url, headers={"Authorization": f"Bearer {graph_token}"}, timeout=10)
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")
    missing = requests.get(url, timeout=10)
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "AuthenticationFailed")
    expired = requests.get(url, headers={"Authorization": f"Bearer {emu.token(emu.arm_url, lifetime=-10)}"}, timeout=10)
    assert expired.json()["error"]["code"] == "ExpiredAuthenticationToken"
    graph = requests.get(
        f"{emu.graph_url}/v1.0/organization", headers={"Authorization": f"Bearer {arm_token}"}, timeout=10
    )
    assert graph.status_code == 401
    assert graph.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert set(graph.json()["error"]["innerError"]) >= {"date", "request-id", "client-request-id"}
    assert requests.get(url, headers={"Authorization": f"Bearer {arm_token}"}, timeout=10).status_code == 200


# -- Resource Graph ---------------------------------------------------------------------


def test_resource_graph_pages_with_skip_tokens(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _rg_client(emu, credential)
    types = ("microsoft.storage/storageaccounts", "microsoft.keyvault/vaults", "microsoft.sql/servers/databases")
    query = f"resources | where type in~ ({', '.join(repr(t) for t in types)}) | order by id asc"
    rows: list[dict[str, Any]] = []
    token: str | None = None
    pages = 0
    while True:
        result = client.resources(QueryRequest(query=query, options=QueryRequestOptions(top=7, skip_token=token)))
        pages += 1
        rows += result.data
        assert result.count == len(result.data) <= 7
        token = result.skip_token
        if not token:
            break
    expected = sorted(r["id"] for r in emu.tenant.resources if r["type"].lower() in types)
    assert [r["id"] for r in rows] == expected
    assert result.total_records == len(expected)
    assert pages == -(-len(expected) // 7) > 2
    vault = next(r for r in rows if r["type"] == "microsoft.keyvault/vaults")
    assert vault == arg_row(emu.store.get(vault["id"]) or {}, emu.tenant_id)
    assert vault["resourceGroup"] == vault["resourceGroup"].lower()
    assert vault["tenantId"] == emu.tenant_id
    assert vault["subscriptionId"] in vault["id"]


def test_resource_graph_caps_top_and_keeps_arm_only_types_out(
    emu: AzureEmulator, credential: ClientSecretCredential
) -> None:
    client = _rg_client(emu, credential)
    emu.knobs.arg_max_top = 3
    result = client.resources(
        QueryRequest(
            query="resources | where type in~ ('microsoft.network/networksecuritygroups')",
            options=QueryRequestOptions(top=1000),
        )
    )
    assert result.count == 3
    assert result.skip_token
    arm_only = ", ".join(f"'{t}'" for t in ARM_DETAIL_TYPES)
    for table in ("resources", "securityresources"):
        empty = client.resources(QueryRequest(query=f"{table} | where type in~ ({arm_only})"))
        assert (empty.total_records, empty.data) == (0, [])
    assert _of_type(emu.tenant, "Microsoft.Storage/storageAccounts/blobServices")  # they exist, in ARM only


def test_resource_graph_lists_subscriptions_and_rejects_other_queries(
    emu: AzureEmulator, credential: ClientSecretCredential
) -> None:
    client = _rg_client(emu, credential)
    result = client.resources(
        QueryRequest(query="resourcecontainers | where type =~ 'microsoft.resources/subscriptions'")
    )
    by_id = {row["subscriptionId"]: row for row in result.data}
    assert {s.id: s.display_name for s in emu.tenant.subscriptions} == {k: v["name"] for k, v in by_id.items()}
    row = next(iter(by_id.values()))
    assert row["type"] == "microsoft.resources/subscriptions"
    assert row["id"] == f"/subscriptions/{row['subscriptionId']}"
    assert row["tenantId"] == emu.tenant_id
    assert row["properties"]["state"] == "Enabled"
    one = emu.tenant.subscriptions[0].id
    scoped = client.resources(
        QueryRequest(subscriptions=[one], query="resources | where type in~ ('microsoft.web/sites')")
    )
    assert scoped.data and {r["subscriptionId"] for r in scoped.data} == {one}
    with pytest.raises(HttpResponseError) as raised:
        client.resources(QueryRequest(query="resources | project id, name | limit 5"))
    assert raised.value.status_code == 400
    assert raised.value.error is not None and raised.value.error.code == "BadRequest"


# -- ARM GET -----------------------------------------------------------------------------


def test_arm_collection_pages_through_next_link(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _arm(emu, credential)
    emu.knobs.arm_page_size = 3
    sub = emu.tenant.subscriptions[0].id
    pricings, pages = _arm_list(
        client, f"/subscriptions/{sub}/providers/Microsoft.Security/pricings?api-version=2024-01-01"
    )
    expected = [r for r in _of_type(emu.tenant, "Microsoft.Security/pricings") if sub in r["id"]]
    assert pricings == expected
    assert pages == -(-len(expected) // 3) > 1
    next_links = [r.path for r in emu.requests if "skiptoken" in r.path]
    assert next_links and all("api-version=2024-01-01" in p for p in next_links)


def test_arm_child_and_extension_lists_and_items(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _arm(emu, credential)
    server = _of_type(emu.tenant, "Microsoft.Sql/servers")[0]
    auditing, _ = _arm_list(client, f"{server['id']}/auditingSettings?api-version={SQL_AUDITING}")
    assert [a["id"] for a in auditing] == [f"{server['id']}/auditingSettings/default"]
    setting = _of_type(emu.tenant, "Microsoft.Insights/diagnosticSettings")[0]
    scope = setting["id"].rsplit("/providers/", 1)[0]
    listed, _ = _arm_list(
        client, f"{scope}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview"
    )
    assert setting in listed
    item = _send(client, "GET", f"{server['id'].upper()}?api-version=2021-11-01")
    assert item.status_code == 200 and item.json() == server  # ARM ids are case-insensitive
    missing = _send(client, "GET", f"{server['id']}-gone?api-version=2021-11-01")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ResourceNotFound")
    orphan = _send(client, "GET", f"{server['id']}-gone/auditingSettings?api-version=2021-11-01")
    assert (orphan.status_code, orphan.json()["error"]["code"]) == (404, "ParentResourceNotFound")
    no_version = _send(client, "GET", server["id"])
    assert (no_version.status_code, no_version.json()["error"]["code"]) == (400, "MissingApiVersionParameter")
    sub = emu.tenant.subscriptions[0].id
    sites, _ = _arm_list(client, f"/subscriptions/{sub}/providers/Microsoft.Web/sites?api-version=2023-12-01")
    assert {s["id"] for s in sites} == {s["id"] for s in _of_type(emu.tenant, "Microsoft.Web/sites") if sub in s["id"]}
    subscription = _send(client, "GET", f"/subscriptions/{sub}?api-version=2022-12-01").json()
    assert subscription["displayName"] == emu.tenant.subscriptions[0].display_name


def test_rate_limit_headers_count_down(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _arm(emu, credential)
    sub = emu.tenant.subscriptions[0].id
    seen = [
        int(
            _send(client, "GET", f"/subscriptions/{sub}?api-version=2022-12-01").headers[
                "x-ms-ratelimit-remaining-subscription-reads"
            ]
        )
        for _ in range(3)
    ]
    assert seen == [11999, 11998, 11997]
    tenant_level = _send(client, "GET", "/subscriptions?api-version=2022-12-01")
    assert int(tenant_level.headers["x-ms-ratelimit-remaining-tenant-reads"]) == 11999


def test_throttling_is_retried_after_retry_after(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _arm(emu, credential)
    sub = emu.tenant.subscriptions[0].id
    url = f"/subscriptions/{sub}/providers/Microsoft.Security/pricings?api-version=2024-01-01"
    emu.knobs.throttle_every = 2
    _send(client, "GET", url).raise_for_status()
    started = time.monotonic()
    response = _send(client, "GET", url)  # the 2nd request is throttled, its retry (the 3rd) is not
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.9  # azure-core slept for Retry-After: 1
    statuses = [r.status for r in emu.requests if r.server == "arm"]
    assert statuses == [200, 429, 200]


def test_transient_503s_are_retried(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _arm(emu, credential)
    server = _of_type(emu.tenant, "Microsoft.Sql/servers")[0]
    emu.knobs.fail_5xx = {"/auditingSettings": 2}
    auditing, _ = _arm_list(client, f"{server['id']}/auditingSettings?api-version={SQL_AUDITING}")
    assert len(auditing) == 1
    assert [r.status for r in emu.requests if r.server == "arm"] == [503, 503, 200]
    assert emu.knobs.fail_5xx == {"/auditingSettings": 0}


def test_writes_are_refused_and_recorded(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _arm(emu, credential)
    account = _of_type(emu.tenant, "Microsoft.Storage/storageAccounts")[0]["id"]
    keys = _send(client, "POST", f"{account}/listKeys?api-version=2023-05-01")
    assert keys.status_code == 405
    put = _send(client, "PUT", f"{account}?api-version=2023-05-01", json={"location": "eastus"})
    assert put.status_code == 405
    graph = _send(_graph(emu, credential), "POST", "/v1.0/users", json={"displayName": "x"})
    assert graph.status_code == 405
    assert [(v.server, v.method) for v in emu.violations] == [("arm", "POST"), ("arm", "PUT"), ("graph", "POST")]
    assert emu.violations[0].path == f"{account}/listKeys?api-version=2023-05-01"
    assert all(v in emu.requests for v in emu.violations)


def test_forbidden_subscription(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    hidden, shown = (s.id for s in emu.tenant.subscriptions)
    emu.knobs.forbidden_subscriptions = {hidden}
    rows = _rg_client(emu, credential).resources(
        QueryRequest(
            query="resources | where type in~ ('microsoft.compute/disks')", options=QueryRequestOptions(top=1000)
        )
    )
    assert rows.data and {r["subscriptionId"] for r in rows.data} == {shown}
    client = _arm(emu, credential)
    denied = _send(
        client, "GET", f"/subscriptions/{hidden}/providers/Microsoft.Security/pricings?api-version=2024-01-01"
    )
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "AuthorizationFailed")
    listed, _ = _arm_list(client, "/subscriptions?api-version=2022-12-01")
    assert [s["subscriptionId"] for s in listed] == [shown]


def test_forbidden_api(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _arm(emu, credential)
    servers = _of_type(emu.tenant, "Microsoft.Sql/servers")
    first_sub = servers[0]["id"].split("/")[2]
    emu.knobs.forbidden_apis = {(first_sub, "microsoft.sql/servers/auditingsettings")}
    denied = _send(client, "GET", f"{servers[0]['id']}/auditingSettings?api-version={SQL_AUDITING}")
    assert denied.status_code == 403
    assert "Microsoft.Sql/servers/auditingSettings/read" in denied.json()["error"]["message"]
    allowed = _send(client, "GET", f"{servers[0]['id']}/encryptionProtector?api-version=2021-11-01")
    assert allowed.status_code == 200
    other = [s for s in servers if first_sub not in s["id"]]
    if other:
        ok = _send(client, "GET", f"{other[0]['id']}/auditingSettings?api-version={SQL_AUDITING}")
        assert ok.status_code == 200


# -- Microsoft Graph -------------------------------------------------------------------------


def _graph_all(client: PipelineClient[Any, Any], url: str) -> tuple[list[Any], int]:
    items: list[Any] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        response = _send(client, "GET", next_url)
        response.raise_for_status()
        body = response.json()
        assert body["@odata.context"].startswith(f"{client._base_url}/v1.0/$metadata#")
        items += body["value"]
        pages += 1
        next_url = body.get("@odata.nextLink")
    return items, pages


def test_graph_datasets_through_pipeline_client(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _graph(emu, credential)
    emu.knobs.graph_page_size = 2
    graph = emu.tenant.graph
    for dataset in entra.DATASETS:
        if dataset.name == entra.USERS:
            continue
        if dataset.collection:
            items, pages = _graph_all(client, f"/v1.0{dataset.path}")
            assert len(items) == len(graph[dataset.name]), dataset.name
            assert pages == max(1, -(-len(items) // 2))
        else:
            body = _send(client, "GET", f"/v1.0{dataset.path}").json()
            assert body.pop("@odata.context").endswith("/$entity")
            assert body == graph[dataset.name]
    registrations, _ = _graph_all(client, "/v1.0" + entra.BY_NAME[entra.USER_REGISTRATION_DETAILS].path)
    assert set(registrations[0]) == {
        "id",
        "userType",
        "isAdmin",
        "isMfaCapable",
        "isMfaRegistered",
        "methodsRegistered",
    }
    policies, _ = _graph_all(client, "/v1.0" + entra.BY_NAME[entra.DEVICE_COMPLIANCE_POLICIES].path)
    assert "assignments" in policies[0]
    bare, _ = _graph_all(client, "/v1.0/deviceManagement/deviceCompliancePolicies")
    assert "assignments" not in bare[0]  # navigation properties need $expand


def test_graph_user_by_id_and_organization(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _graph(emu, credential)
    user = emu.tenant.graph[entra.USERS][0]
    path = entra.BY_NAME[entra.USERS].path.replace("{id}", user["id"])
    body = _send(client, "GET", f"/v1.0{path}").json()
    assert body.pop("@odata.context").endswith("/$entity")
    assert body == {
        k: user[k] for k in ("id", "userPrincipalName", "userType", "accountEnabled", "onPremisesSyncEnabled")
    }
    gone = _send(client, "GET", "/v1.0/users/00000000-0000-0000-0000-000000000000")
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "Request_ResourceNotFound")
    organization = _send(client, "GET", "/v1.0/organization").json()["value"][0]
    assert (organization["id"], organization["displayName"]) == (emu.tenant_id, emu.tenant.display_name)
    unknown = _send(client, "GET", "/v1.0/groups")
    assert unknown.status_code == 404
    assert set(unknown.json()["error"]) == {"code", "message", "innerError"}


def test_missing_graph_permission(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _graph(emu, credential)
    emu.knobs.missing_graph_permissions = {entra.CONDITIONAL_ACCESS_POLICIES, entra.USERS}
    denied = _send(client, "GET", "/v1.0/identity/conditionalAccess/policies")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "Authorization_RequestDenied"
    assert denied.json()["error"]["message"] == "Insufficient privileges to complete the operation."
    user = emu.tenant.graph[entra.USERS][0]["id"]
    assert _send(client, "GET", f"/v1.0/users/{user}").status_code == 403
    assert _send(client, "GET", "/v1.0/identity/conditionalAccess/namedLocations").status_code == 200


def test_graph_throttling_is_retried(emu: AzureEmulator, credential: ClientSecretCredential) -> None:
    client = _graph(emu, credential)
    emu.knobs.throttle_every = 2
    first = _send(client, "GET", "/v1.0/policies/authorizationPolicy")
    second = _send(client, "GET", "/v1.0/policies/authorizationPolicy")
    assert (first.status_code, second.status_code) == (200, 200)
    assert [r.status for r in emu.requests if r.server == "graph"] == [200, 429, 200]
    raw = requests.get(
        f"{emu.graph_url}/v1.0/policies/authorizationPolicy",
        headers={"Authorization": f"Bearer {emu.token(emu.graph_url)}"},
        timeout=10,
    )  # the 4th request: throttled again, seen without a retry policy
    assert (raw.status_code, raw.headers["Retry-After"]) == (429, "1")
    assert raw.json()["error"]["code"] == "TooManyRequests"


# -- data ------------------------------------------------------------------------------------------


def test_planted_secrets_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = synthetic_tenant(1, 3, seed=1)
    with AzureEmulator(tenant) as emulator:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emulator.ca_path))
        sub = tenant.subscriptions[0].id
        site = {
            "id": f"/subscriptions/{sub}/resourceGroups/rg-secrets/providers/Microsoft.Web/sites/app-secret",
            "name": "app-secret",
            "type": "Microsoft.Web/sites",
            "location": "East US",
            "properties": {"siteConfig": {"appSettings": [{"name": "DB_PASSWORD", "value": "hunter2-planted"}]}},
        }
        emulator.add_resources([site])
        own = ClientSecretCredential(
            emulator.tenant_id,
            emulator.client_id,
            emulator.client_secret,
            authority=emulator.login_url,
            disable_instance_discovery=True,
        )
        rows = _rg_client(emulator, own).resources(
            QueryRequest(query="resources | where type in~ ('microsoft.web/sites')")
        )
        planted = next(r for r in rows.data if r["name"] == "app-secret")
        assert planted["properties"]["siteConfig"]["appSettings"][0]["value"] == "hunter2-planted"
        assert planted["location"] == "eastus"
        got = _send(_arm(emulator, own), "GET", f"{site['id']}?api-version=2023-12-01")
        assert got.json() == site


def test_load_sample_tenant_without_and_with_graph(tmp_path: Path) -> None:
    tenant = load_tenant(SAMPLE)
    assert tenant.tenant_id == "7f3e0c2a-5b1d-4e8f-9a6c-2d4b8e1f0a37"
    assert [s.display_name for s in tenant.subscriptions][:2] == ["contoso-health-prod", "contoso-health-research"]
    assert tenant.display_name == "Contoso Health"
    assert len(tenant.resources) >= 76
    for source in SAMPLE.glob("*.json"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    entra_file = {
        "kind": "hipaa-scan-snapshot",
        "schema_version": 1,
        "manifest": {"tenants": [tenant.tenant_id]},
        "resources": [],
        "graph": {tenant.tenant_id: {entra.SECURITY_DEFAULTS: {"id": "x", "isEnabled": True}}},
    }
    (tmp_path / "zz-entra.json.gz").write_bytes(gzip.compress(json.dumps(entra_file).encode()))
    (tmp_path / "notes.json").write_text('{"not": "a snapshot"}')
    with_graph = load_tenant(tmp_path)
    assert with_graph.graph[entra.SECURITY_DEFAULTS]["isEnabled"] is True
    assert len(with_graph.resources) == len(tenant.resources)


def test_sample_tenant_is_served_with_or_without_its_graph_file(monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = load_tenant(SAMPLE)
    with AzureEmulator(tenant) as emulator:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(emulator.ca_path))
        own = ClientSecretCredential(
            emulator.tenant_id,
            emulator.client_id,
            emulator.client_secret,
            authority=emulator.login_url,
            disable_instance_discovery=True,
        )
        names = _rg_client(emulator, own).resources(
            QueryRequest(query="resourcecontainers | where type =~ 'microsoft.resources/subscriptions'")
        )
        assert sorted(r["name"] for r in names.data) == ["contoso-health-prod", "contoso-health-research"]
        graph = _graph(emulator, own)
        policies = _send(graph, "GET", "/v1.0/identity/conditionalAccess/policies")
        assert policies.json()["value"] == tenant.graph.get(entra.CONDITIONAL_ACCESS_POLICIES, [])
        defaults = _send(graph, "GET", "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy")
        if entra.SECURITY_DEFAULTS in tenant.graph:
            assert defaults.status_code == 200
        else:  # contoso-health-entra.json not there: a single object the tenant lacks is 404
            assert defaults.json()["error"]["code"] == "Request_ResourceNotFound"
        assert emulator.violations == []


def test_synthetic_tenant_is_deterministic_and_varied() -> None:
    first, again, other = synthetic_tenant(2, 60, seed=3), synthetic_tenant(2, 60, seed=3), synthetic_tenant(2, 60)
    assert json.dumps(first.resources) == json.dumps(again.resources)
    assert first.tenant_id == again.tenant_id != other.tenant_id
    ids = [r["id"].lower() for r in first.resources]
    assert len(ids) == len(set(ids))
    types = {r["type"] for r in first.resources}
    for wanted in (
        "Microsoft.Storage/storageAccounts/blobServices",
        "Microsoft.KeyVault/vaults/keys",
        "Microsoft.Sql/servers/auditingSettings",
        "Microsoft.Sql/servers/encryptionProtector",
        "Microsoft.Sql/servers/databases/transparentDataEncryption",
        "Microsoft.Web/sites/config",
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.DocumentDB/databaseAccounts",
        "Microsoft.Security/pricings",
        "Microsoft.Insights/activityLogAlerts",
        "Microsoft.Insights/diagnosticSettings",
    ):
        assert wanted in types, wanted
    primary = [
        r for r in first.resources if r["id"].count("/") == 8 and "/resourceGroups/rg-monitoring/" not in r["id"]
    ]
    primary = [r for r in primary if r["type"] != "Microsoft.Compute/disks" or "_OsDisk_" not in r["name"]]
    assert len(primary) == 120
    storage = _of_type(first, "Microsoft.Storage/storageAccounts")
    assert {s["properties"]["minimumTlsVersion"] for s in storage} >= {"TLS1_2"}
    assert len({json.dumps(s["properties"]["allowBlobPublicAccess"]) for s in storage}) == 2
    assert set(first.graph) >= {d.name for d in entra.DATASETS}


# -- python -m emulator ---------------------------------------------------------------------------


def test_module_prints_exports_and_stops_on_sigterm(tmp_path: Path) -> None:
    env_file = tmp_path / "emulator.env"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "--synthetic",
            "1x5",
            "--print-env-file",
            str(env_file),
            "--state-dir",
            str(tmp_path),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        deadline = time.monotonic() + 20
        while not env_file.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        text = env_file.read_text()
        exports = dict(
            line.removeprefix("export ").split("=", 1) for line in text.splitlines() if line.startswith("export ")
        )
        assert text.startswith("# ")
        assert set(exports) >= {"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "HIPAA_SCAN_ARM_ENDPOINT", "REQUESTS_CA_BUNDLE"}
        assert exports["REQUESTS_CA_BUNDLE"] == str(tmp_path / "ca.pem")
        metadata = requests.get(
            f"{exports['AZURE_AUTHORITY_HOST']}/{exports['AZURE_TENANT_ID']}/v2.0/.well-known/openid-configuration",
            verify=exports["REQUESTS_CA_BUNDLE"],
            timeout=10,
        )
        assert metadata.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "export AZURE_CLIENT_SECRET=" in out
    assert not env_file.exists()


def test_emulator_process_yields_the_client_environment() -> None:
    with emulator_process(["--synthetic", "1x3", "--latency-ms", "1"]) as env:
        assert set(env) == set(AzureEmulator(synthetic_tenant(1, 0)).env())
        token = requests.post(
            f"{env['AZURE_AUTHORITY_HOST']}/{env['AZURE_TENANT_ID']}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": env["AZURE_CLIENT_ID"],
                "client_secret": env["AZURE_CLIENT_SECRET"],
                "scope": f"{env['HIPAA_SCAN_ARM_ENDPOINT']}/.default",
            },
            verify=env["REQUESTS_CA_BUNDLE"],
            timeout=10,
        )
        assert token.status_code == 200
    with pytest.raises(RuntimeError, match="did not start"), emulator_process(["--tenant-dir", "/nonexistent"]):
        pass

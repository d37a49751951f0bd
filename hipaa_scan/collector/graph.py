"""Phase 4: Microsoft Entra ID through Microsoft Graph v1.0.

Datasets are listed concurrently; a 403 (a permission not granted, a licence
missing) becomes a gap naming the dataset, and the identity rules that need it
report unknown. Users are read one by one, and only those holding privileged
directory roles or Azure Owner-level roles and the configured break-glass
accounts: the least personal data the checks need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from azure.core import PipelineClient

from hipaa_scan.collector.paging import Failure, get_json, list_all
from hipaa_scan.entra import (
    BY_NAME,
    PRIVILEGED_DIRECTORY_ROLES,
    ROLE_ASSIGNMENT_SCHEDULE_INSTANCES,
    ROLE_ASSIGNMENTS,
    ROLE_ELIGIBILITY_SCHEDULE_INSTANCES,
    USERS,
)

GRAPH_VERSION = "/v1.0"
# Azure roles whose holders are looked up in Entra (Owner, Contributor, User Access Administrator).
PRIVILEGED_AZURE_ROLES = (
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "18d7d88d-d35e-4fb5-a5c3-7773c4a72ab9",
)
USER_FIELDS = ("id", "userPrincipalName", "userType", "accountEnabled", "onPremisesSyncEnabled")


def privileged_principals(arm_resources: Iterable[dict[str, Any]], break_glass: Sequence[str]) -> list[str]:
    """User principals holding privileged Azure roles, from the ARM inventory."""
    out = set(break_glass)
    for row in arm_resources:
        if str(row.get("type", "")).lower() != "microsoft.authorization/roleassignments":
            continue
        props = row.get("properties")
        if not isinstance(props, dict):
            continue
        role = str(props.get("roleDefinitionId", "")).lower()
        principal = props.get("principalId")
        if role.endswith(PRIVILEGED_AZURE_ROLES) and props.get("principalType") in (None, "User") and principal:
            out.add(str(principal))
    return sorted(out)


def collect_datasets(
    client: PipelineClient[Any, Any],
    names: Sequence[str],
    *,
    principals: Sequence[str],
    concurrency: int,
    progress: Callable[[str, int, int], None],
) -> tuple[dict[str, Any], dict[str, Failure]]:
    datasets: dict[str, Any] = {}
    failures: dict[str, Failure] = {}
    listed = [n for n in names if n != USERS]
    done = 0
    total = len(listed) + (1 if USERS in names else 0)
    progress("graph", 0, total)

    def fetch(name: str) -> tuple[str, Any]:
        entry = BY_NAME[name]
        url = GRAPH_VERSION + entry.path
        if entry.collection:
            return name, list_all(client, url, phase="graph", api=f"graph:{name}")
        body = get_json(client, url, phase="graph", api=f"graph:{name}")
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if not k.startswith("@odata.context")}
        return name, body

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for name, value in pool.map(fetch, listed):
            if isinstance(value, Failure):
                failures[name] = value
            else:
                datasets[name] = value
            done += 1
            progress("graph", done, total)
        if USERS in names:
            wanted = set(principals) | _directory_principals(datasets)
            users = list(pool.map(lambda p: _user(client, p), sorted(wanted)))
            failed = [u for u in users if isinstance(u, Failure)]
            if failed:
                failures[USERS] = failed[0]
            else:
                datasets[USERS] = [u for u in users if isinstance(u, dict)]
            progress("graph", total, total)
    return datasets, failures


def _directory_principals(datasets: dict[str, Any]) -> set[str]:
    """Principals with a privileged directory role, active or eligible."""
    out: set[str] = set()
    for name in (ROLE_ASSIGNMENTS, ROLE_ASSIGNMENT_SCHEDULE_INSTANCES, ROLE_ELIGIBILITY_SCHEDULE_INSTANCES):
        for item in datasets.get(name) or []:
            if isinstance(item, dict) and str(item.get("roleDefinitionId", "")).lower() in PRIVILEGED_DIRECTORY_ROLES:
                principal = item.get("principalId")
                if isinstance(principal, str) and principal:
                    out.add(principal)
    return out


def _user(client: PipelineClient[Any, Any], principal: str) -> dict[str, Any] | Failure | None:
    url = f"{GRAPH_VERSION}/users/{quote(principal)}?$select={','.join(USER_FIELDS)}"
    body = get_json(client, url, phase="graph", api=f"graph:{USERS}")
    if isinstance(body, Failure):
        # 404: a service principal or group, or a deleted user; not a user to judge.
        return None if body.status == 404 else body
    if not isinstance(body, dict):
        return None
    return {k: body.get(k) for k in USER_FIELDS}


def sorted_datasets(datasets: dict[str, Any]) -> dict[str, Any]:
    """Stable order, so the same tenant gives the same snapshot bytes."""
    out: dict[str, Any] = {}
    for name in sorted(datasets):
        value = datasets[name]
        if isinstance(value, list):
            value = sorted(value, key=lambda item: str(item.get("id", "")) if isinstance(item, dict) else str(item))
        out[name] = value
    return out

"""Phase 1 and 2: subscriptions and the bulk inventory, from Azure Resource Graph.

A few paged queries replace tens of thousands of per-resource GETs: requests
grow with pages (1,000 rows each), not with resources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from hipaa_scan.errors import CollectorError

PAGE_SIZE = 1000
# Resource Graph takes many subscriptions per query; batches keep requests small.
SUBSCRIPTION_BATCH = 100
SUBSCRIPTIONS_QUERY = "resourcecontainers | where type =~ 'microsoft.resources/subscriptions'"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    tenant_id: str
    name: str


@dataclass(frozen=True, slots=True)
class QueryFailure:
    status: int
    message: str


def query_all(
    client: ResourceGraphClient,
    query: str,
    *,
    subscriptions: Sequence[str] | None = None,
    management_groups: Sequence[str] | None = None,
    on_page: Callable[[], None] | None = None,
) -> list[dict[str, Any]] | QueryFailure:
    """Every row of a query, following skip tokens; a failure instead of rows
    when any page fails (a partial result would look complete)."""
    rows: list[dict[str, Any]] = []
    skip_token: str | None = None
    while True:
        request = QueryRequest(
            subscriptions=list(subscriptions) if subscriptions else None,
            management_groups=list(management_groups) if management_groups else None,
            query=query,
            options=QueryRequestOptions(top=PAGE_SIZE, skip_token=skip_token, result_format="objectArray"),
        )
        try:
            page = client.resources(request, hs_phase="inventory", hs_api="Microsoft.ResourceGraph/resources")
        except ClientAuthenticationError as exc:
            # No token at all: nothing can be collected, so stop with one clear line.
            raise CollectorError(f"authentication failed: {one_line(exc.message or str(exc))}") from None
        except HttpResponseError as exc:
            return QueryFailure(exc.status_code or 0, _message(exc))
        if on_page is not None:
            on_page()
        data: Any = page.data  # declared "object" by the SDK: the rows as JSON
        if isinstance(data, list):
            rows.extend(row for row in data if isinstance(row, dict))
        skip_token = page.skip_token
        if not skip_token:
            return rows


def type_query(table: str, type_keys: Sequence[str]) -> str:
    quoted = ", ".join(f"'{t}'" for t in type_keys)
    return f"{table} | where type in~ ({quoted}) | order by id asc"


def subscriptions_of(rows: list[dict[str, Any]]) -> list[Subscription]:
    out = []
    for row in rows:
        sub = row.get("subscriptionId")
        if isinstance(sub, str) and sub:
            tenant = row.get("tenantId")
            name = row.get("name")
            out.append(Subscription(sub.lower(), tenant.lower() if isinstance(tenant, str) else "", str(name or sub)))
    return sorted(set(out), key=lambda s: s.id)


def one_line(text: str, limit: int = 500) -> str:
    """azure-identity explains a failure over many lines; a CLI error is one."""
    joined = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def _message(exc: HttpResponseError) -> str:
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    text = getattr(error, "message", None) or exc.message or str(exc)
    first = str(text).strip().splitlines()[0] if str(text).strip() else "request failed"
    return f"{code}: {first}" if code else first

"""GET a collection from ARM or Microsoft Graph, following its next links.

Both services page the same way (``value`` plus ``nextLink`` /
``@odata.nextLink``); a failure on any page fails the whole listing, because
a partial list would be recorded as complete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from azure.core import PipelineClient
from azure.core.exceptions import AzureError
from azure.core.rest import HttpRequest

NEXT_LINKS = ("nextLink", "@odata.nextLink")
# Guards against a service that hands back the same next link forever.
MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class Failure:
    status: int
    message: str


def get_json(client: PipelineClient[Any, Any], url: str, *, phase: str, api: str) -> Any:
    """One GET of a path under the client's endpoint (or an absolute next
    link); the decoded JSON body, or a Failure."""
    try:
        response = client.send_request(HttpRequest("GET", client.format_url(url)), hs_phase=phase, hs_api=api)
    except AzureError as exc:  # connection errors and timeouts, after retries
        return Failure(0, f"{type(exc).__name__}: {exc.message}")
    if response.status_code >= 400:
        return Failure(response.status_code, error_message(response.text()))
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return Failure(response.status_code, "response is not JSON")


def list_all(client: PipelineClient[Any, Any], url: str, *, phase: str, api: str) -> list[Any] | Failure:
    items: list[Any] = []
    next_url: str | None = url
    for _ in range(MAX_PAGES):
        if next_url is None:
            return items
        body = get_json(client, next_url, phase=phase, api=api)
        if isinstance(body, Failure):
            return body
        if not isinstance(body, dict) or not isinstance(body.get("value"), list):
            return Failure(200, "expected a JSON object with a 'value' array")
        items.extend(body["value"])
        next_url = next((body[k] for k in NEXT_LINKS if isinstance(body.get(k), str) and body[k]), None)
    return Failure(200, f"more than {MAX_PAGES} pages")


def error_message(text: str) -> str:
    """``code: message`` from an ARM or Graph error body, on one line."""
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict):
        message = str(error.get("message") or "").strip().splitlines()
        return f"{error.get('code', 'Error')}: {message[0] if message else ''}".strip()
    if isinstance(error, str):
        return error
    first = text.strip().splitlines()
    return first[0][:200] if first else "no response body"

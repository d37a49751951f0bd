"""The HTTP pipelines the collector talks to Azure through.

Built from azure-core's own policies (retry with backoff and Retry-After,
bearer tokens, content decoding) plus three of ours:

* ``ReadOnlyPolicy`` sits next to the transport and refuses anything but GET
  and the query POST of Resource Graph, so no code path, however it got
  there, can change Azure or call an action that returns a secret.
* ``RateLimitPolicy`` slows down when ARM's ``x-ms-ratelimit-remaining-*``
  headers say the read budget is nearly spent.
* ``RequestLogPolicy`` counts requests per phase and, with ``-v``, logs the
  method, URL path, status and time of each; never a header, so never a token.

ARM calls are generic GETs by path rather than typed azure-mgmt-* models:
the snapshot must hold the REST JSON exactly as ARM returned it, which is
what the offline loader and the rules read, and a typed model would drop
every property newer than its pinned API version.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from azure.core import PipelineClient
from azure.core.credentials import TokenCredential
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import (
    BearerTokenCredentialPolicy,
    ContentDecodePolicy,
    HeadersPolicy,
    HTTPPolicy,
    RequestIdPolicy,
    RetryPolicy,
    SansIOHTTPPolicy,
    UserAgentPolicy,
)
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

from hipaa_scan import __version__
from hipaa_scan.errors import HipaaScanError

log = logging.getLogger("hipaa_scan.collector")

# The only non-GET request the collector may send: a Resource Graph query.
ALLOWED_POSTS = re.compile(r"^/providers/microsoft\.resourcegraph/resources$", re.IGNORECASE)
# Below this many remaining reads, pause before the next request.
RATE_LIMIT_LOW_WATER = 25
RATE_LIMIT_HEADERS = (
    "x-ms-ratelimit-remaining-subscription-reads",
    "x-ms-ratelimit-remaining-tenant-reads",
    "x-ms-ratelimit-remaining-subscription-resource-requests",
)


class ReadOnlyViolationError(HipaaScanError):
    """A request that could change Azure or return a secret was about to be sent."""


class ReadOnlyPolicy(SansIOHTTPPolicy[Any, Any]):
    def on_request(self, request: PipelineRequest[Any]) -> None:
        http = request.http_request
        path = urlsplit(http.url).path.rstrip("/")
        if http.method == "GET" or (http.method == "POST" and ALLOWED_POSTS.match(path)):
            return
        raise ReadOnlyViolationError(f"refused {http.method} {path}: hipaa-scan only reads")


@dataclass
class RequestStats:
    """Requests by phase and by API, for progress and the benchmark."""

    by_phase: Counter[str] = field(default_factory=Counter)
    by_api: Counter[str] = field(default_factory=Counter)
    throttled: int = 0
    retried_5xx: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, phase: str, api: str, status: int) -> None:
        with self._lock:
            self.by_phase[phase] += 1
            self.by_api[api] += 1
            if status == 429:
                self.throttled += 1
            elif status >= 500:
                self.retried_5xx += 1

    @property
    def total(self) -> int:
        return sum(self.by_phase.values())


class RequestLogPolicy(HTTPPolicy[Any, Any]):
    """Sits after the retry policy, so every attempt is counted and logged."""

    def __init__(self, stats: RequestStats) -> None:
        super().__init__()
        self._stats = stats

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        # Tags travel as pipeline options; move them into the context before the
        # transport sees the options, so retries keep their phase.
        if "hs_phase" not in request.context:
            request.context["hs_phase"] = request.context.options.pop("hs_phase", "other")
            request.context["hs_api"] = request.context.options.pop("hs_api", "other")
        started = time.perf_counter()
        response = self.next.send(request)
        http = request.http_request
        status = response.http_response.status_code
        self._stats.count(str(request.context["hs_phase"]), str(request.context["hs_api"]), status)
        log.debug(
            "%s %s %d %.0f ms", http.method, urlsplit(http.url).path, status, (time.perf_counter() - started) * 1000
        )
        return response


class RateLimitPolicy(HTTPPolicy[Any, Any]):
    """Back off before ARM starts answering 429: its remaining-reads headers
    say how much of the budget is left. Retry-After itself is azure-core's job."""

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        response = self.next.send(request)
        remaining = [
            int(value)
            for name in RATE_LIMIT_HEADERS
            if (value := response.http_response.headers.get(name)) and value.isdigit()
        ]
        if remaining and min(remaining) < RATE_LIMIT_LOW_WATER:
            pause = (RATE_LIMIT_LOW_WATER - min(remaining)) / RATE_LIMIT_LOW_WATER
            log.debug("rate limit: %d reads left, pausing %.2f s", min(remaining), pause)
            time.sleep(pause)
        # Resource Graph has its own per-user quota, reset after hh:mm:ss.
        headers = response.http_response.headers
        if headers.get("x-ms-user-quota-remaining") == "0":
            pause = _seconds(headers.get("x-ms-user-quota-resets-after", ""))
            log.debug("Resource Graph quota spent, pausing %.2f s", pause)
            time.sleep(min(pause, 60.0))
        return response


def _seconds(hms: str) -> float:
    try:
        hours, minutes, seconds = hms.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    except ValueError:
        return 1.0


def transport(pool_size: int) -> RequestsTransport:
    """One connection pool, as large as the worker pool, so concurrent
    requests reuse TLS connections instead of opening new ones."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    return RequestsTransport(session=session, session_owner=True)


def retry_policy() -> RetryPolicy[Any, Any]:
    # 429 honours Retry-After; 5xx and timeouts back off exponentially.
    return RetryPolicy(retry_total=6, retry_backoff_factor=0.5, retry_backoff_max=30, timeout=300)


def policies(
    credential: TokenCredential, scope: str, stats: RequestStats, *, arm: bool
) -> list[HTTPPolicy[Any, Any] | SansIOHTTPPolicy[Any, Any]]:
    auth: HTTPPolicy[Any, Any] = (
        ARMChallengeAuthenticationPolicy(credential, scope) if arm else BearerTokenCredentialPolicy(credential, scope)
    )
    return [
        RequestIdPolicy(),
        HeadersPolicy({"Accept": "application/json"}),
        UserAgentPolicy(sdk_moniker=f"hipaa-scan/{__version__}"),
        ContentDecodePolicy(),
        retry_policy(),
        auth,
        RateLimitPolicy(),
        RequestLogPolicy(stats),
        ReadOnlyPolicy(),
    ]


def pipeline_client(
    base_url: str, credential: TokenCredential, scope: str, stats: RequestStats, pool: RequestsTransport, *, arm: bool
) -> PipelineClient[Any, Any]:
    return PipelineClient(base_url, policies=policies(credential, scope, stats, arm=arm), transport=pool)

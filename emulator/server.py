"""Three HTTPS servers on loopback that speak enough of Microsoft Entra ID
(login), Azure Resource Manager (+ Resource Graph) and Microsoft Graph for the
real azure-identity / azure-core / azure-mgmt-* clients to run unmodified.

The emulator is read-only by contract: any request that is not a GET, the
token POST or the Resource Graph query POST is answered 405 and recorded in
``violations``, so tests can prove the collector never writes.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

from emulator.auth import TOKEN_LIFETIME, TokenCheck, TokenIssuer
from emulator.store import ARG_COLUMNS, Store, resource_group_of, subscription_body, subscription_row
from emulator.tenant import Tenant, subscription_of, synthetic_tenant
from emulator.tls import TlsMaterial, create_tls
from hipaa_scan import entra

HOST = "127.0.0.1"
RATE_LIMIT_START = 11999
ARG_PATH = "/providers/microsoft.resourcegraph/resources"
ARG_DEFAULT_TOP = 100
ARG_QUOTA = 15
ARG_QUOTA_WINDOW = 5.0
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})
# Graph navigation properties that only appear when $expand names them.
GRAPH_NAVIGATION = frozenset({"assignments", "principal", "roleDefinition"})


@dataclass
class Knobs:
    """Behaviour the tests can change while the emulator runs."""

    latency_ms: int = 0
    arm_page_size: int = 100
    graph_page_size: int = 100
    arg_max_top: int = 1000
    throttle_every: int = 0
    fail_5xx: dict[str, int] = field(default_factory=dict)
    forbidden_subscriptions: set[str] = field(default_factory=set)
    forbidden_apis: set[tuple[str, str]] = field(default_factory=set)
    missing_graph_permissions: set[str] = field(default_factory=set)

    def reset(self) -> None:
        defaults = Knobs()
        for f in fields(self):
            setattr(self, f.name, getattr(defaults, f.name))


class Recorded(NamedTuple):
    server: str  # "login" | "arm" | "graph"
    method: str
    path: str  # path with query, as sent
    status: int


class ArmPath(NamedTuple):
    collection: bool
    spelled: str  # the type as the path spells it: Microsoft.Sql/servers/auditingSettings
    parent: str  # the scope or parent resource a collection lives under
    scoped: bool  # top-level or extension type (parent is the scope before /providers/)

    @property
    def type_key(self) -> str:
        return self.spelled.lower()


@dataclass
class Request:
    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes

    def param(self, name: str) -> str | None:
        """A query parameter, case-insensitive on the name ($skipToken == $skiptoken)."""
        wanted = name.lower()
        for key, value in self.query.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    out = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache"}
    out.update(headers or {})
    return Response(status, json.dumps(body, separators=(",", ":")).encode("utf-8"), out)


def _arm_error(
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    details: list[dict[str, str]] | None = None,
) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return _json(status, {"error": error}, headers)


def _encode_token(data: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _decode_token(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) and isinstance(value.get("o"), int) else None


def _query_string(params: Mapping[str, str]) -> str:
    return "&".join(f"{quote(k, safe='$')}={quote(v, safe=',()$')}" for k, v in params.items())


def _select(item: Mapping[str, Any], select: list[str] | None, expand: str) -> dict[str, Any]:
    expanded = {e.strip().split("(")[0] for e in expand.split(",") if e.strip()}
    out = {k: v for k, v in item.items() if k not in GRAPH_NAVIGATION or k in expanded}
    if select is None:
        return out
    keep = {s.lower() for s in select} | {"id"}
    return {k: v for k, v in out.items() if k.lower() in keep or k.startswith("@odata.") or k in expanded}


# -- HTTP plumbing --------------------------------------------------------------


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, service: _Service, context: ssl.SSLContext) -> None:
        super().__init__((HOST, 0), _Handler)
        self.service = service
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop kept-alive client connections so a stopped emulator answers nothing."""
        with self.connections_lock:
            connections, self.connections = self.connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # TLS failures, resets, timeouts
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hipaa-scan-azure-emulator/1"
    sys_version = ""
    timeout = 60
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid the 40 ms delayed-ACK stall
    server: _HttpServer

    def setup(self) -> None:
        self.request.settimeout(self.timeout)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET  # noqa: N815

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():  # trailers
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        body = self._body()
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        request = Request(self.command, self.path, unquote(split.path), query, self.headers, body)
        response = self.server.service.serve(request)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.service.emulator.verbose:
            sys.stderr.write(f"[{self.server.service.name}] {format % args}\n")


# -- services -------------------------------------------------------------------


class _Service:
    name = ""

    def __init__(self, emulator: AzureEmulator) -> None:
        self.emulator = emulator

    def allowed(self, request: Request) -> bool:
        return request.method == "GET"

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def not_allowed(self, request: Request) -> Response:
        raise NotImplementedError

    def internal_error(self, exc: Exception) -> Response:
        return _arm_error(500, "InternalServerError", f"emulator error: {type(exc).__name__}: {exc}")

    def serve(self, request: Request) -> Response:
        emulator = self.emulator
        emulator.pause()
        violation = not self.allowed(request)
        try:
            response = self.not_allowed(request) if violation else self.handle(request)
        except Exception as exc:
            response = self.internal_error(exc)
        emulator.record(Recorded(self.name, request.method, request.target, response.status), violation)
        return response


class _LoginService(_Service):
    """Microsoft Entra ID as MSAL's client-credentials flow sees it."""

    name = "login"
    TOKEN_RE = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$", re.IGNORECASE)
    OIDC_RE = re.compile(r"^/([^/]+)/v2\.0/\.well-known/openid-configuration$", re.IGNORECASE)
    KEYS_RE = re.compile(r"^/([^/]+)/discovery/v2\.0/keys$", re.IGNORECASE)

    def allowed(self, request: Request) -> bool:
        if request.method == "GET":
            return True
        return request.method == "POST" and self.TOKEN_RE.match(request.path) is not None

    def _error(self, status: int, error: str, code: int, description: str) -> Response:
        emulator = self.emulator
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        return _json(
            status,
            {
                "error": error,
                "error_description": f"AADSTS{code}: {description} Trace ID: {trace} "
                f"Correlation ID: {correlation} Timestamp: {stamp}",
                "error_codes": [code],
                "timestamp": stamp,
                "trace_id": trace,
                "correlation_id": correlation,
                "error_uri": f"{emulator.login_url}/error?code={code}",
            },
            {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"},
        )

    def not_allowed(self, request: Request) -> Response:
        return self._error(
            405, "invalid_request", 900561, f"The endpoint only accepts GET and the token POST, not {request.method}."
        )

    def _tenant(self, name: str) -> str | None:
        """The tenant id a path segment names (its id or verified domain)."""
        tenant = self.emulator.tenant
        if name.lower() in (tenant.tenant_id, tenant.domain.lower()):
            return tenant.tenant_id
        return None

    def handle(self, request: Request) -> Response:
        if self.emulator.fail_5xx(request):
            return self._error(
                503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again."
            )
        if match := self.OIDC_RE.match(request.path):
            return self._openid_configuration(match.group(1))
        if request.path.lower() == "/common/discovery/instance":
            return self._instance_discovery(request)
        if match := self.KEYS_RE.match(request.path):
            return _json(200, {"keys": []})
        if (match := self.TOKEN_RE.match(request.path)) and request.method == "POST":
            return self._token(match.group(1), request)
        return self._error(404, "invalid_request", 90002, f"The requested path '{request.path}' does not exist.")

    def _openid_configuration(self, name: str) -> Response:
        emulator = self.emulator
        if name.lower() in ("common", "organizations"):
            tenant, issuer_tenant = name, "{tenantid}"
        elif (found := self._tenant(name)) is not None:
            tenant = issuer_tenant = found
        else:
            return self._error(400, "invalid_tenant", 90002, f"Tenant '{name}' not found.")
        base = f"{emulator.login_url}/{tenant}"
        return _json(
            200,
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{emulator.login_url}/{issuer_tenant}/v2.0",
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": f"{emulator.graph_url}/oidc/userinfo",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "tid", "ver", "oid", "name"],
                "kerberos_endpoint": f"{base}/kerberos",
                "tenant_region_scope": "NA",
                "cloud_instance_name": "microsoftonline.com",
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": urlsplit(emulator.graph_url).netloc,
                "rbac_url": emulator.arm_url,
            },
        )

    def _instance_discovery(self, request: Request) -> Response:
        emulator = self.emulator
        endpoint = request.param("authorization_endpoint") or ""
        segments = [s for s in urlsplit(endpoint).path.split("/") if s]
        tenant = segments[0] if segments else "common"
        host = urlsplit(emulator.login_url).netloc
        return _json(
            200,
            {
                "tenant_discovery_endpoint": f"{emulator.login_url}/{tenant}/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
            },
        )

    def _token(self, name: str, request: Request) -> Response:
        emulator = self.emulator
        tenant = self._tenant(name)
        if tenant is None:
            return self._error(
                400,
                "invalid_request",
                90002,
                f"Tenant '{name}' not found. Check to make sure you have the correct tenant ID and are signing "
                "into the correct cloud.",
            )
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = request.headers.get("Authorization", "")
        if basic.lower().startswith("basic "):
            with contextlib.suppress(ValueError):
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            return self._error(
                400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'."
            )
        if client_id != emulator.client_id:
            return self._error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{emulator.tenant.display_name}'. "
                "This can happen if the application has not been installed by the administrator of the tenant.",
            )
        if not secret or secret != emulator.client_secret:
            return self._error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
                f"not the client secret ID, for a secret added to app '{client_id}'.",
            )
        scopes = [s for s in form.get("scope", "").split() if s not in RESERVED_SCOPES]
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return self._error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {form.get('scope', '')} is not valid. Client credential flows must have "
                "a scope value with /.default suffixed to the resource identifier (application ID URI).",
            )
        resource = scopes[0].removesuffix("/.default").rstrip("/")
        if resource not in (emulator.arm_url, emulator.graph_url):
            return self._error(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named "
                f"{emulator.tenant.display_name}. This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant.",
            )
        return _json(
            200,
            {
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "ext_expires_in": TOKEN_LIFETIME,
                "access_token": emulator.issuer.issue(resource),
            },
            {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"},
        )


class _ArmService(_Service):
    """Azure Resource Manager GETs and the Resource Graph query POST."""

    name = "arm"

    def allowed(self, request: Request) -> bool:
        if request.method == "GET":
            return True
        return request.method == "POST" and request.path.lower().rstrip("/") == ARG_PATH

    def _headers(self) -> dict[str, str]:
        request_id = str(uuid.uuid4())
        return {
            "x-ms-request-id": request_id,
            "x-ms-correlation-request-id": request_id,
            "x-ms-routing-request-id": f"EASTUS:{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}:{request_id}",
            "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
            "X-Content-Type-Options": "nosniff",
        }

    def not_allowed(self, request: Request) -> Response:
        return _arm_error(
            405,
            "MethodNotAllowed",
            f"The Azure emulator is read-only: {request.method} {request.path} is not allowed.",
            {**self._headers(), "Allow": "GET"},
        )

    def _unauthorized(self, check: TokenCheck) -> Response:
        emulator = self.emulator
        arm = emulator.arm_url
        messages = {
            "missing": ("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."),
            "scheme": (
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
            ),
            "malformed": ("InvalidAuthenticationToken", "The access token is invalid."),
            "signature": ("InvalidAuthenticationToken", "The access token is invalid."),
            "expired": (
                "ExpiredAuthenticationToken",
                f"The access token expiry UTC time '{check.claims.get('exp')}' is earlier than current UTC time "
                f"'{int(time.time())}'.",
            ),
            "audience": (
                "InvalidAuthenticationTokenAudience",
                f"The access token has been obtained for wrong audience or resource '{check.claims.get('aud')}'. "
                f"It should exactly match with one of the allowed audiences '{arm}/','{arm}'.",
            ),
        }
        code, message = messages[check.error or "malformed"]
        challenge = (
            f'Bearer authorization_uri="{emulator.login_url}/{emulator.tenant_id}", error="invalid_token", '
            f'error_description="{message}"'
        )
        return _arm_error(401, code, message, {**self._headers(), "WWW-Authenticate": challenge})

    def handle(self, request: Request) -> Response:
        emulator = self.emulator
        check = emulator.issuer.check(request.headers.get("Authorization"), emulator.arm_url)
        if check.error:
            return self._unauthorized(check)
        if not request.param("api-version"):
            return _arm_error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
                self._headers(),
            )
        headers = {**self._headers(), **emulator.rate_limit_headers(request.path)}
        if emulator.throttled():
            return _arm_error(
                429,
                "TooManyRequests",
                "The request is being throttled as the limit has been reached for operation type - "
                "Read_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits",
                {**headers, "Retry-After": "1"},
            )
        if emulator.fail_5xx(request):
            return _arm_error(
                503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry the request.", headers
            )
        if request.method == "POST":
            return self._resource_graph(request, headers)
        return self._get(request, headers)

    # -- ARM GET -------------------------------------------------------------------

    def _forbidden(self, action: str, scope: str, headers: Mapping[str, str]) -> Response:
        oid = self.emulator.issuer.service_principal_id
        return _arm_error(
            403,
            "AuthorizationFailed",
            f"The client '{oid}' with object id '{oid}' does not have authorization to perform action '{action}' "
            f"over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your "
            "credentials.",
            headers,
        )

    def _not_found(self, path: str, headers: Mapping[str, str], nested: bool) -> Response:
        store = self.emulator.store
        sub = subscription_of(path)
        if sub and store.subscription(sub) is None:
            return _arm_error(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.", headers)
        group = resource_group_of(path)
        if group and store.get(group[0]) is None:
            return _arm_error(404, "ResourceGroupNotFound", f"Resource group '{group[1]}' could not be found.", headers)
        index = path.lower().rfind("/providers/")
        tail = path[index + len("/providers/") :] if index >= 0 else path
        where = f" under resource group '{group[1]}'" if group else ""
        if nested:
            return _arm_error(
                404,
                "ParentResourceNotFound",
                f"Can not perform requested operation on nested resource. Parent resource '{tail}' not found.",
                headers,
            )
        return _arm_error(
            404,
            "ResourceNotFound",
            f"The Resource '{tail}'{where} was not found. For more details please go to "
            "https://aka.ms/ARMResourceNotFoundFix",
            headers,
        )

    @staticmethod
    def classify(path: str) -> ArmPath | None:
        """What an ARM path names: an item or a collection, its type, and the parent scope."""
        segments = [s for s in path.split("/") if s]
        index = None
        for i in range(len(segments) - 2, -1, -1):
            if segments[i].lower() == "providers":
                index = i
                break
        if index is None:
            if (
                len(segments) in (3, 4)
                and segments[0].lower() == "subscriptions"
                and segments[2].lower() == "resourcegroups"
            ):
                return ArmPath(
                    len(segments) == 3, "Microsoft.Resources/resourceGroups", f"/subscriptions/{segments[1]}", True
                )
            return None
        namespace, rest = segments[index + 1], segments[index + 2 :]
        if not rest:
            return None
        spelled = "/".join([namespace, *rest[0::2]])
        collection = len(rest) % 2 == 1
        scoped = len(rest) <= 2  # a top-level or extension type: its parent is the scope before /providers/
        parent = "/" + "/".join(segments[:index] if scoped else segments[: -1 if collection else -2])
        return ArmPath(collection, spelled, parent.rstrip("/"), scoped)

    def _get(self, request: Request, headers: dict[str, str]) -> Response:
        emulator = self.emulator
        store, knobs = emulator.store, emulator.knobs
        path = request.path.rstrip("/") or "/"
        sub = subscription_of(path)
        forbidden = {s.lower() for s in knobs.forbidden_subscriptions}
        if sub and sub.lower() in forbidden:
            return self._forbidden("Microsoft.Resources/subscriptions/read", path, headers)
        if path.lower() == "/subscriptions":
            items = [
                subscription_body(s, emulator.tenant_id) for s in store.subscriptions if s.id.lower() not in forbidden
            ]
            return self._page(request, path, items, headers)
        if sub and path.lower() == f"/subscriptions/{sub.lower()}":
            found = store.subscription(sub)
            if found is None:
                return self._not_found(path, headers, nested=False)
            return _json(200, subscription_body(found, emulator.tenant_id), headers)
        kind = self.classify(path)
        if kind is None:
            return self._not_found(path, headers, nested=False)
        if sub and (sub.lower(), kind.type_key) in {(s.lower(), t.lower()) for s, t in knobs.forbidden_apis}:
            return self._forbidden(f"{kind.spelled}/read", path, headers)
        if not kind.collection:
            body = store.get(path)
            if body is None:
                return self._not_found(path, headers, nested=False)
            return _json(200, body, headers)
        if not store.scope_exists(kind.parent):
            return self._not_found(kind.parent, headers, nested=not kind.scoped)
        items = store.children(path)
        if kind.scoped and sub and kind.parent.lower() == f"/subscriptions/{sub.lower()}":
            # A tracked type listed at subscription scope spans every resource group.
            items += store.in_subscription(sub, kind.type_key)
        return self._page(request, path, items, headers)

    def _page(self, request: Request, path: str, items: list[dict[str, Any]], headers: dict[str, str]) -> Response:
        emulator = self.emulator
        size = max(1, emulator.knobs.arm_page_size)
        token = request.param("$skiptoken")
        decoded = _decode_token(token)
        if token and decoded is None:
            return _arm_error(400, "InvalidSkipToken", f"The skip token '{token}' is not valid.", headers)
        offset = decoded["o"] if decoded else 0
        body: dict[str, Any] = {"value": items[offset : offset + size]}
        if offset + size < len(items):
            params = {k: v for k, v in request.query.items() if k.lower() != "$skiptoken"}
            params["$skiptoken"] = _encode_token({"o": offset + size})
            body["nextLink"] = f"{emulator.arm_url}{quote(path)}?{_query_string(params)}"
        return _json(200, body, headers)

    # -- Resource Graph --------------------------------------------------------------

    _STRING = r"""(?:'[^']*'|"[^"]*")"""
    _ORDER = r"(?P<order>\|\s*(?:order|sort)\s+by\s+id(?:\s+(?P<dir>asc|desc))?\s*)?"
    CONTAINERS_RE = re.compile(
        rf"^\s*resourcecontainers\s*\|\s*where\s+type\s*=~\s*(?P<one>{_STRING})\s*{_ORDER}$", re.IGNORECASE
    )
    TABLE_RE = re.compile(
        rf"^\s*(?P<table>resources|securityresources|recoveryservicesresources|authorizationresources)\s*\|\s*"
        rf"where\s+type\s+(?:in~\s*\(\s*(?P<list>{_STRING}(?:\s*,\s*{_STRING})*)\s*\)|=~\s*(?P<one>{_STRING}))"
        rf"\s*{_ORDER}$",
        re.IGNORECASE,
    )

    def _parse_query(self, text: str) -> tuple[str, list[str], str | None] | None:
        """(table, lower-cased types, 'asc' | 'desc' | None) for the supported KQL forms."""
        table = "resourcecontainers"
        match = self.CONTAINERS_RE.match(text)
        if match is None:
            match = self.TABLE_RE.match(text)
            if match is None:
                return None
            table = match.group("table").lower()
        listed = match.groupdict().get("list") or match.group("one")
        types = [t[1:-1].lower() for t in re.findall(self._STRING, listed)]
        if table == "resourcecontainers" and types != ["microsoft.resources/subscriptions"]:
            return None
        order = (match.group("dir") or "asc").lower() if match.group("order") else None
        return table, types, order

    def _bad_query(self, headers: Mapping[str, str], code: str, message: str) -> Response:
        correlation = headers.get("x-ms-correlation-request-id", "")
        return _arm_error(
            400,
            "BadRequest",
            f"Please provide below info when asking for support: timestamp = {_now()}, correlationId = {correlation}.",
            headers,
            details=[{"code": code, "message": message}],
        )

    def _resource_graph(self, request: Request, headers: dict[str, str]) -> Response:
        emulator = self.emulator
        store, knobs = emulator.store, emulator.knobs
        headers = {**headers, **emulator.arg_quota_headers()}
        try:
            body = json.loads(request.body or b"{}")
        except json.JSONDecodeError:
            return self._bad_query(headers, "InvalidRequestContent", "The request content was invalid JSON.")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return self._bad_query(headers, "InvalidRequestContent", "The request must carry a 'query' string.")
        parsed = self._parse_query(body["query"])
        if parsed is None:
            return self._bad_query(
                headers,
                "InvalidQuery",
                'Query is invalid. The Azure emulator supports "resourcecontainers | where type =~ '
                "'microsoft.resources/subscriptions'\" and \"<table> | where type in~ ('...') [| order by id asc]\".",
            )
        table, types, order = parsed
        forbidden = {s.lower() for s in knobs.forbidden_subscriptions}
        visible = {s.id.lower() for s in store.subscriptions} - forbidden
        requested = body.get("subscriptions")
        scope = visible & {str(s).lower() for s in requested} if requested else visible
        if table == "resourcecontainers":
            rows = [subscription_row(s, emulator.tenant_id) for s in store.subscriptions if s.id.lower() in scope]
        else:
            rows = store.arg_rows(table, types, scope)
        if order:
            rows = sorted(rows, key=lambda r: str(r["id"]), reverse=order == "desc")
        options = body.get("options") or {}
        top = options.get("$top")
        try:
            size = max(1, min(int(top) if top is not None else ARG_DEFAULT_TOP, knobs.arg_max_top))
            offset = int(options.get("$skip") or 0)
        except (TypeError, ValueError):
            return self._bad_query(headers, "InvalidRequestContent", "$top and $skip must be integers.")
        fingerprint = hashlib.sha256(f"{body['query']}|{sorted(scope)}".encode()).hexdigest()[:16]
        token = options.get("$skipToken")
        if token:
            decoded = _decode_token(str(token))
            if decoded is None or decoded.get("q") != fingerprint:
                return self._bad_query(headers, "InvalidSkipToken", "The skip token is not valid for this query.")
            offset = decoded["o"]
        data = rows[offset : offset + size]
        response: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(data),
            "resultTruncated": "false",
            "facets": [],
        }
        if offset + size < len(rows):
            response["$skipToken"] = _encode_token({"o": offset + size, "q": fingerprint})
        if str(options.get("resultFormat", "objectArray")).lower() == "table":
            columns = [
                {
                    "name": c,
                    "type": "object"
                    if c in ("sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation")
                    else "string",
                }
                for c in ARG_COLUMNS
            ]
            response["data"] = {"columns": columns, "rows": [[row.get(c) for c in ARG_COLUMNS] for row in data]}
        else:
            response["data"] = data
        return _json(200, response, headers)


class _GraphService(_Service):
    """Microsoft Graph v1.0 GETs for the datasets in ``hipaa_scan.entra``."""

    name = "graph"
    USER_RE = re.compile(r"^/users/([^/]+)$", re.IGNORECASE)

    def __init__(self, emulator: AzureEmulator) -> None:
        super().__init__(emulator)
        self.routes = {d.path.split("?", 1)[0].lower(): d for d in entra.DATASETS if "{" not in d.path}

    def _headers(self, request: Request | None = None) -> dict[str, str]:
        request_id = str(uuid.uuid4())
        client = request.headers.get("client-request-id") if request else None
        return {
            "Content-Type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
            "charset=utf-8",
            "request-id": request_id,
            "client-request-id": client or request_id,
            "x-ms-ags-diagnostic": json.dumps({"ServerInfo": {"DataCenter": "East US", "Slice": "E", "Ring": "5"}}),
            "Strict-Transport-Security": "max-age=31536000",
        }

    def _error(
        self, status: int, code: str, message: str, request: Request, extra: Mapping[str, str] | None = None
    ) -> Response:
        headers = {**self._headers(request), **(extra or {})}
        inner = {
            "date": _now(),
            "request-id": headers["request-id"],
            "client-request-id": headers["client-request-id"],
        }
        return _json(status, {"error": {"code": code, "message": message, "innerError": inner}}, headers)

    def internal_error(self, exc: Exception) -> Response:
        return _json(500, {"error": {"code": "generalException", "message": f"emulator error: {exc}"}})

    def not_allowed(self, request: Request) -> Response:
        return self._error(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
            request,
            {"Allow": "GET"},
        )

    def handle(self, request: Request) -> Response:
        emulator = self.emulator
        check = emulator.issuer.check(request.headers.get("Authorization"), emulator.graph_url)
        if check.error:
            message = {
                "missing": "Access token is empty.",
                "expired": "Lifetime validation failed, the token is expired.",
                "audience": "Access token validation failure. Invalid audience.",
            }.get(check.error, "Access token validation failure.")
            challenge = (
                f'Bearer realm="", authorization_uri="{emulator.login_url}/common/oauth2/authorize", '
                f'client_id="{GRAPH_APP_ID}"'
            )
            return self._error(401, "InvalidAuthenticationToken", message, request, {"WWW-Authenticate": challenge})
        if emulator.throttled():
            return self._error(
                429,
                "TooManyRequests",
                "Too many requests. Please retry after the time in the Retry-After header.",
                request,
                {"Retry-After": "1"},
            )
        if emulator.fail_5xx(request):
            return self._error(503, "serviceNotAvailable", "Service is temporarily unavailable.", request)
        if not request.path.lower().startswith("/v1.0/"):
            return self._error(400, "BadRequest", "Invalid version: the emulator serves /v1.0 only.", request)
        path = request.path[len("/v1.0") :].rstrip("/")
        lower = path.lower()
        graph = emulator.tenant.graph
        if lower == "/organization":
            return self._organization(request)
        if lower == "/users":
            if denied := self._denied(entra.USERS, request):
                return denied
            return self._collection(request, path, list(graph.get(entra.USERS) or []))
        if match := self.USER_RE.match(path):
            return self._user(match.group(1), request)
        dataset = self.routes.get(lower)
        if dataset is None:
            segment = path.rsplit("/", 1)[-1]
            return self._error(
                404, "Request_ResourceNotFound", f"Resource not found for the segment '{segment}'.", request
            )
        if denied := self._denied(dataset.name, request):
            return denied
        value = graph.get(dataset.name)
        if dataset.collection:
            return self._collection(request, path, list(value or []))
        if not isinstance(value, Mapping):
            return self._error(
                404, "Request_ResourceNotFound", f"Resource '{path.lstrip('/')}' does not exist.", request
            )
        item = _select(value, self._select(request), request.param("$expand") or "")
        body = {"@odata.context": f"{emulator.graph_url}/v1.0/$metadata#{path.lstrip('/')}/$entity", **item}
        return _json(200, body, self._headers(request))

    def _denied(self, dataset: str, request: Request) -> Response | None:
        missing = self.emulator.knobs.missing_graph_permissions
        entry = entra.BY_NAME.get(dataset)
        if dataset in missing or (entry is not None and entry.permission in missing):
            return self._error(
                403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", request
            )
        return None

    @staticmethod
    def _select(request: Request) -> list[str] | None:
        select = request.param("$select")
        return [s.strip() for s in select.split(",") if s.strip()] if select else None

    def _collection(self, request: Request, path: str, items: list[Any]) -> Response:
        emulator = self.emulator
        select = self._select(request)
        expand = request.param("$expand") or ""
        size = max(1, emulator.knobs.graph_page_size)
        top = request.param("$top")
        if top:
            try:
                size = max(1, min(size, int(top)))
            except ValueError:
                return self._error(400, "BadRequest", f"Invalid value '{top}' for $top.", request)
        token = request.param("$skiptoken")
        decoded = _decode_token(token)
        if token and decoded is None:
            return self._error(400, "BadRequest", "The $skiptoken is not valid.", request)
        offset = decoded["o"] if decoded else 0
        page = [_select(i, select, expand) if isinstance(i, Mapping) else i for i in items[offset : offset + size]]
        context = path.lstrip("/") + (f"({','.join(select)})" if select else "")
        body: dict[str, Any] = {"@odata.context": f"{emulator.graph_url}/v1.0/$metadata#{context}"}
        if offset + size < len(items):
            params = {k: v for k, v in request.query.items() if k.lower() != "$skiptoken"}
            params["$skiptoken"] = _encode_token({"o": offset + size})
            body["@odata.nextLink"] = f"{emulator.graph_url}/v1.0{quote(path)}?{_query_string(params)}"
        body["value"] = page
        return _json(200, body, self._headers(request))

    def _user(self, key: str, request: Request) -> Response:
        if denied := self._denied(entra.USERS, request):
            return denied
        wanted = key.lower()
        for user in self.emulator.tenant.graph.get(entra.USERS) or []:
            if isinstance(user, Mapping) and wanted in (
                str(user.get("id", "")).lower(),
                str(user.get("userPrincipalName", "")).lower(),
            ):
                select = self._select(request)
                context = f"users({','.join(select)})/$entity" if select else "users/$entity"
                body = {
                    "@odata.context": f"{self.emulator.graph_url}/v1.0/$metadata#{context}",
                    **_select(user, select, request.param("$expand") or ""),
                }
                return _json(200, body, self._headers(request))
        return self._error(
            404,
            "Request_ResourceNotFound",
            f"Resource '{key}' does not exist or one of its queried reference-property objects are not present.",
            request,
        )

    def _organization(self, request: Request) -> Response:
        emulator = self.emulator
        tenant = emulator.tenant
        stored = tenant.graph.get("organization")
        organization = (
            list(stored)
            if isinstance(stored, list)
            else [
                {
                    "id": tenant.tenant_id,
                    "deletedDateTime": None,
                    "businessPhones": [],
                    "city": None,
                    "country": None,
                    "countryLetterCode": "US",
                    "createdDateTime": "2021-08-02T10:30:06Z",
                    "displayName": tenant.display_name,
                    "onPremisesLastSyncDateTime": None,
                    "onPremisesSyncEnabled": None,
                    "preferredLanguage": "en",
                    "tenantType": "AAD",
                    "technicalNotificationMails": [f"security@{tenant.domain}"],
                    "verifiedDomains": [
                        {
                            "capabilities": "Email, OfficeCommunicationsOnline",
                            "isDefault": True,
                            "isInitial": True,
                            "name": tenant.domain,
                            "type": "Managed",
                        }
                    ],
                }
            ]
        )
        select = self._select(request)
        return _json(
            200,
            {
                "@odata.context": f"{emulator.graph_url}/v1.0/$metadata#organization",
                "value": [_select(o, select, "") for o in organization],
            },
            self._headers(request),
        )


# -- the emulator -------------------------------------------------------------------


class AzureEmulator:
    """Login, ARM and Graph over HTTPS on 127.0.0.1 (ephemeral ports).

    Use as a context manager (``with AzureEmulator(tenant) as emu:``) or call
    ``start()``/``stop()``. ``env()`` gives the variables a client needs.
    """

    def __init__(
        self,
        tenant: Tenant | None = None,
        *,
        knobs: Knobs | None = None,
        state_dir: str | Path | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        verbose: bool = False,
    ) -> None:
        self.tenant = tenant if tenant is not None else synthetic_tenant(2, 20)
        self.tenant_id = self.tenant.tenant_id
        self.knobs = knobs if knobs is not None else Knobs()
        self.client_id = client_id or str(uuid.uuid4())
        self.client_secret = client_secret or f"emu~{uuid.uuid4().hex}{uuid.uuid4().hex[:8]}"
        self.verbose = verbose
        self.store = Store(self.tenant)
        self.issuer = TokenIssuer(self.tenant_id, self.client_id)
        self.requests: list[Recorded] = []
        self.violations: list[Recorded] = []
        self.login_url = self.arm_url = self.graph_url = ""
        self.ca_path = Path()
        self.tls: TlsMaterial | None = None
        self._state_dir = Path(state_dir) if state_dir is not None else None
        self._own_state_dir = False
        self._lock = threading.Lock()
        self._servers: list[_HttpServer] = []
        self._threads: list[threading.Thread] = []
        self._throttle_count = 0
        self._subscription_reads: dict[str, int] = {}
        self._tenant_reads = RATE_LIMIT_START + 1
        self._arg_calls: list[float] = []

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> AzureEmulator:
        if self._servers:
            return self
        if self._state_dir is None:
            self._state_dir = Path(tempfile.mkdtemp(prefix="hipaa-scan-emulator-"))
            self._own_state_dir = True
        self.tls = create_tls(self._state_dir)
        self.ca_path = self.tls.ca_path
        context = self.tls.server_context()
        login, arm, graph = (
            _HttpServer(service, context) for service in (_LoginService(self), _ArmService(self), _GraphService(self))
        )
        self._servers = [login, arm, graph]
        self.login_url, self.arm_url, self.graph_url = login.url, arm.url, graph.url
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"azure-emulator-{server.service.name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []
        if self._own_state_dir and self._state_dir is not None:
            shutil.rmtree(self._state_dir, ignore_errors=True)
            self._state_dir, self._own_state_dir = None, False

    def __enter__(self) -> AzureEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for clients and tests ---------------------------------------------------------

    @property
    def state_dir(self) -> Path | None:
        return self._state_dir

    def env(self) -> dict[str, str]:
        """Environment for a client process: azure-identity's EnvironmentCredential
        variables, the CA bundle, and hipaa-scan's endpoint options."""
        return {
            "AZURE_CLIENT_ID": self.client_id,
            "AZURE_CLIENT_SECRET": self.client_secret,
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_AUTHORITY_HOST": self.login_url,
            "REQUESTS_CA_BUNDLE": str(self.ca_path),
            "SSL_CERT_FILE": str(self.ca_path),
            "HIPAA_SCAN_ARM_ENDPOINT": self.arm_url,
            "HIPAA_SCAN_GRAPH_ENDPOINT": self.graph_url,
            "HIPAA_SCAN_AUTHORITY_HOST": self.login_url,
        }

    def add_resources(self, resources: Iterable[Mapping[str, Any]]) -> None:
        """Plant (or replace) ARM resources, e.g. ones carrying secrets the collector must not write."""
        self.store.add(resources)

    def token(self, audience: str, lifetime: int = TOKEN_LIFETIME) -> str:
        """A bearer token for ``audience`` (``arm_url`` or ``graph_url``), bypassing the login flow."""
        return self.issuer.issue(audience.rstrip("/"), lifetime)

    def reset(self) -> None:
        """Default knobs, empty request logs and fresh rate-limit counters."""
        self.knobs.reset()
        with self._lock:
            self.requests.clear()
            self.violations.clear()
            self._throttle_count = 0
            self._subscription_reads.clear()
            self._tenant_reads = RATE_LIMIT_START + 1
            self._arg_calls.clear()

    # -- used by the services --------------------------------------------------------------

    def pause(self) -> None:
        if self.knobs.latency_ms > 0:
            time.sleep(self.knobs.latency_ms / 1000)

    def record(self, entry: Recorded, violation: bool) -> None:
        with self._lock:
            self.requests.append(entry)
            if violation:
                self.violations.append(entry)

    def throttled(self) -> bool:
        every = self.knobs.throttle_every
        if every <= 0:
            return False
        with self._lock:
            self._throttle_count += 1
            return self._throttle_count % every == 0

    def fail_5xx(self, request: Request) -> bool:
        with self._lock:
            for needle, remaining in self.knobs.fail_5xx.items():
                if remaining > 0 and needle in request.target:
                    self.knobs.fail_5xx[needle] = remaining - 1
                    return True
        return False

    def rate_limit_headers(self, path: str) -> dict[str, str]:
        sub = subscription_of(path)
        with self._lock:
            if sub:
                key = sub.lower()
                remaining = max(0, self._subscription_reads.get(key, RATE_LIMIT_START + 1) - 1)
                self._subscription_reads[key] = remaining
                return {"x-ms-ratelimit-remaining-subscription-reads": str(remaining)}
            self._tenant_reads = max(0, self._tenant_reads - 1)
            return {"x-ms-ratelimit-remaining-tenant-reads": str(self._tenant_reads)}

    def arg_quota_headers(self) -> dict[str, str]:
        """Resource Graph's per-user quota headers (informational; never enforced)."""
        now = time.monotonic()
        with self._lock:
            self._arg_calls = [t for t in self._arg_calls if now - t < ARG_QUOTA_WINDOW] + [now]
            remaining = max(0, ARG_QUOTA - len(self._arg_calls))
        return {"x-ms-user-quota-remaining": str(remaining), "x-ms-user-quota-resets-after": "00:00:05"}

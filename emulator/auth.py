"""Access tokens: JWTs (HS256, emulator-local key) whose ``aud`` is the
resource the client asked for (scope minus ``/.default``), so the ARM server
refuses a Graph token and the Graph server refuses an ARM token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

TOKEN_LIFETIME = 3599


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, without checking its signature (for tests and debugging)."""
    claims = json.loads(_unb64(token.split(".")[1]))
    if not isinstance(claims, dict):
        raise ValueError("token claims are not a JSON object")
    return claims


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """Why a bearer token was refused (``None`` when it is valid)."""

    error: str | None
    claims: dict[str, Any]


class TokenIssuer:
    def __init__(self, tenant_id: str, client_id: str) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.service_principal_id = str(uuid.uuid4())
        self._key = secrets.token_bytes(32)

    def issue(self, audience: str, lifetime: int = TOKEN_LIFETIME) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "HS256", "kid": "hipaa-scan-emulator"}
        claims = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{self.tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "appid": self.client_id,
            "appidacr": "1",
            "idp": f"https://sts.windows.net/{self.tenant_id}/",
            "idtyp": "app",
            "oid": self.service_principal_id,
            "sub": self.service_principal_id,
            "tid": self.tenant_id,
            "uti": _b64(secrets.token_bytes(16)),
            "ver": "1.0",
        }
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"

    def check(self, authorization: str | None, audience: str) -> TokenCheck:
        """Validate an ``Authorization`` header value for ``audience``.

        Errors: ``missing``, ``scheme``, ``malformed``, ``signature``, ``expired``, ``audience``.
        """
        if not authorization:
            return TokenCheck("missing", {})
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return TokenCheck("scheme", {})
        parts = token.strip().split(".")
        if len(parts) != 3:
            return TokenCheck("malformed", {})
        try:
            claims = json.loads(_unb64(parts[1]))
            signature = _unb64(parts[2])
        except (ValueError, json.JSONDecodeError):
            return TokenCheck("malformed", {})
        if not isinstance(claims, dict):
            return TokenCheck("malformed", {})
        expected = hmac.new(self._key, f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            return TokenCheck("signature", claims)
        if int(claims.get("exp", 0)) <= time.time():
            return TokenCheck("expired", claims)
        if str(claims.get("aud", "")).rstrip("/") != audience.rstrip("/"):
            return TokenCheck("audience", claims)
        return TokenCheck(None, claims)

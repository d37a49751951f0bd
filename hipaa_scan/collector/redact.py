"""Keep secrets out of snapshots.

The collector never calls an API that returns a secret (listKeys,
listConnectionStrings, publishing credentials, Key Vault data plane), but
some GETs still carry one: app settings inlined in a site's siteConfig, a
connection string in a tag, a SAS URL in a diagnostic or backup setting.
Every value under a secret-bearing key, and every string that looks like a
credential, is replaced by a marker before it reaches a snapshot. The marker
keeps the key, so rules still see that a setting exists.
"""

from __future__ import annotations

import re
from typing import Any

MARKER = "<redacted by hipaa-scan>"

# Keys whose value is a secret wherever they appear (compared lower-cased).
SECRET_KEYS: frozenset[str] = frozenset(
    {
        "password",
        "adminpassword",
        "administratorloginpassword",
        "connectionstring",
        "primaryconnectionstring",
        "secondaryconnectionstring",
        "primarykey",
        "secondarykey",
        "primarymasterkey",
        "secondarymasterkey",
        "accesskey",
        "storageaccountaccesskey",
        "storageaccountkey",
        "sastoken",
        "sasuri",
        "sasurl",
        "clientsecret",
        "secret",
        "sharedkey",
        "publishingpassword",
        "instrumentationkey",
        "customerkey",
    }
)
# Lists of {name, value} pairs whose values are secrets (App Service app settings).
SECRET_PAIR_LISTS: frozenset[str] = frozenset({"appsettings", "connectionstrings"})
# A string that carries a credential, whatever key holds it.
SECRET_VALUE = re.compile(
    r"(AccountKey=|SharedAccessKey=|SharedAccessSignature=|Password=|Pwd=|[?&]sig=|-----BEGIN [A-Z ]*PRIVATE KEY-----)",
    re.IGNORECASE,
)


def redact(value: Any) -> tuple[Any, int]:
    """A copy of ``value`` with secrets replaced, and how many were replaced."""
    counter = [0]
    return _walk(value, counter), counter[0]


def _walk(value: Any, counter: list[int]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            lowered = key.lower() if isinstance(key, str) else ""
            # A secret is a string; an object under such a key is metadata
            # (Cosmos DB's keysMetadata.primaryMasterKey holds only a generationTime).
            if lowered in SECRET_KEYS and isinstance(item, str) and item:
                counter[0] += 1
                out[key] = MARKER
            elif lowered in SECRET_PAIR_LISTS and isinstance(item, list):
                out[key] = [_pair(entry, counter) for entry in item]
            else:
                out[key] = _walk(item, counter)
        return out
    if isinstance(value, list):
        return [_walk(item, counter) for item in value]
    if isinstance(value, str) and SECRET_VALUE.search(value):
        counter[0] += 1
        return MARKER
    return value


def _pair(entry: Any, counter: list[int]) -> Any:
    if not isinstance(entry, dict):
        return _walk(entry, counter)
    out = {}
    for key, item in entry.items():
        if isinstance(key, str) and key.lower() in ("value", "connectionstring") and item not in (None, ""):
            counter[0] += 1
            out[key] = MARKER
        else:
            out[key] = _walk(item, counter)
    return out

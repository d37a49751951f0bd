"""Turn one ARM-shaped JSON object into a Resource, rejecting malformed ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hipaa_scan.errors import InputError
from hipaa_scan.model import Resource, Semantics, Unresolved


def json_kind(value: object) -> str:
    """The JSON name of a Python value's type, for error messages."""
    match value:
        case None:
            return "null"
        case bool():
            return "a boolean"
        case int() | float():
            return "a number"
        case str():
            return "a string"
        case list():
            return "an array"
        case dict():
            return "an object"
    return type(value).__name__


def to_resource(
    obj: object, source: str, where: str, semantics: Semantics = Semantics.OBSERVED, *, index: int | None = None
) -> Resource:
    """Validate the fields every rule relies on and wrap the object.

    ``where`` locates the object inside the file (``resources[3]``) so the
    error line points at it; with ``index``, ``where`` is a pattern such as
    ``resources[{}]``, filled in only for an error (a loader of 100,000 rows
    would otherwise format 100,000 labels it never shows).
    error line points at it.
    """
    if type(obj) is not dict and not isinstance(obj, Mapping):
        raise InputError(source, f"{_at(where, index)}: expected a resource object, got {json_kind(obj)}")
    obj = _known_quirks(obj)
    rid = obj.get("id")
    rtype = obj.get("type")
    if not isinstance(rid, str) or not rid.startswith("/"):
        raise InputError(source, f"{_at(where, index)}: 'id' must be an ARM resource id string starting with '/'")
    if not isinstance(rtype, str) or "/" not in rtype:
        raise InputError(
            source, f"{_at(where, index)} ({rid}): 'type' must be a string like 'Microsoft.Storage/storageAccounts'"
        )
    props: Any = obj.get("properties")
    # Unresolved never comes from JSON: only a template can hand one over.
    if props is not None and type(props) is not dict and not isinstance(props, Mapping | Unresolved):
        raise InputError(source, f"{_at(where, index)} ({rid}): 'properties' is {json_kind(props)}, expected an object")
    name = obj.get("name")
    location = obj.get("location")
    return Resource(
        id=rid,
        type=rtype,
        name=name if isinstance(name, str) else rid.rstrip("/").rsplit("/", 1)[-1],
        location=location if isinstance(location, str) else None,
        raw=obj,
        source=source,
        properties_collected=props is not None,
        semantics=semantics,
    )


def _at(where: str, index: int | None) -> str:
    return where if index is None else where.format(index)


_ARM_DIAG = "/providers/azureresourcemanager/diagnosticsettings/"


def _known_quirks(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """Repair shapes real ARM responses are known to return.

    Subscription diagnostic settings come back as
    ``subscriptions/{id}/providers/AzureResourceManager/diagnosticSettings/x``
    with ``type: null``; they are Microsoft.Insights/diagnosticSettings on the
    subscription scope.
    """
    rid = obj.get("id")
    if not isinstance(rid, str) or (rid.startswith("/") and _ARM_DIAG not in rid.lower()):
        return obj
    fixed = dict(obj)
    if rid.lower().startswith("subscriptions/"):
        rid = "/" + rid
    at = rid.lower().find(_ARM_DIAG)
    if at >= 0:
        rid = rid[:at] + "/providers/Microsoft.Insights/diagnosticSettings/" + rid[at + len(_ARM_DIAG) :]
        if fixed.get("type") is None:
            fixed["type"] = "Microsoft.Insights/diagnosticSettings"
    fixed["id"] = rid
    return fixed

"""Read Az PowerShell exports: ``Get-AzResource -ExpandProperties | ConvertTo-Json -Depth 100``.

Each object is a serialised ``PSResource`` (Az.Resources, ``SdkModels/PSResource.cs``)::

    {"ResourceId": "/subscriptions/…", "Id": "…", "Identity": {"PrincipalId": …, "TenantId": …,
     "Type": 0, "UserAssignedIdentities": null}, "Kind": …, "Location": …, "ManagedBy": …,
     "ResourceName": …, "Name": …, "ExtensionResourceName": …, "ParentResource": …, "Plan": …,
     "Properties": {…ARM camelCase…}, "ResourceGroupName": …, "Type": …, "ResourceType": …,
     "ExtensionResourceType": …, "Sku": {"Name": …, "Tier": …, "Size": …, "Family": …, "Model": …,
     "Capacity": …}, "Tags": {…}, "TagsTable": "…", "SubscriptionId": …, "CreatedTime": …,
     "ChangedTime": …, "ETag": …}

Quirks of the cmdlet and of ``ConvertTo-Json`` that this module undoes:

* ``Identity.Type`` is a .NET enum, which ``ConvertTo-Json`` writes as its number
  (0 SystemAssigned, 1 UserAssigned, 2 "SystemAssigned, UserAssigned", 3 None)
  unless ``-EnumsAsStrings`` was given.
* For an extension resource (two ``/providers/`` segments in the id) ``ResourceType``
  is the *scope's* type and ``ExtensionResourceType`` the resource's own type.
* Without ``-ExpandProperties`` the cmdlet writes ``"Properties": null``; every
  property rule is then ``unknown``, as for ``az resource list``.
* One resource is written as a bare object (the pipeline unrolls a one-item
  array), and Windows PowerShell 5.1 writes an array that reached
  ``ConvertTo-Json`` as a single object as ``{"value": [...], "Count": n}``.
* ``CreatedTime``/``ChangedTime`` are ``"/Date(ms)/"`` in Windows PowerShell 5.1.
* Without ``-Depth``, objects below depth 2 become strings such as
  ``"@{family=A; name=standard}"`` or ``"System.Object[]"``; such a file is
  refused rather than scanned on mangled values.

Child and extension resources may be nested under ``resources`` (any casing);
they are flattened, and a child without its own id gets the one ARM would give it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn

from hipaa_scan.errors import InputError
from hipaa_scan.loaders.arm import json_kind, to_resource
from hipaa_scan.model import Resource

POWERSHELL_FORMAT = "az-powershell"

# Microsoft.Azure.Management.ResourceManager.Models.ResourceIdentityType, in declaration order.
_IDENTITY_TYPES = ("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "None")
_PS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
# What ConvertTo-Json writes for an object nested deeper than -Depth.
_TRUNCATED = re.compile(r"^(?:@\{(?:[^=;{}]+=.*)?\}|System\.Object\[\]|System\.Collections\.\S+)$", re.S)


def is_powershell_export(document: Any) -> bool:
    """True for ConvertTo-Json output of PSResource objects: an array, one
    object, or the ``{"value": [...], "Count": n}`` wrapper of PowerShell 5.1.

    PSResource keys are PascalCase (``ResourceId``, ``ResourceType``); az CLI,
    Resource Graph and ARM REST objects carry lower-case ``id`` and ``type``.
    """
    if isinstance(document, list):
        return _is_psresource(_first_item(document))
    inner = _array_wrapper(document)
    if inner is not None:
        return not inner or _is_psresource(_first_item(inner))
    return _is_psresource(document)


def powershell_resources(document: Any, source: str) -> list[Resource]:
    """Every PSResource in the document, nested ``resources`` flattened after their parent."""
    out: list[Resource] = []
    for obj, where in _top_level(document):
        # An explicit stack: hostile nesting must not hit Python's recursion limit.
        stack: list[tuple[Any, str, Mapping[str, Any] | None]] = [(obj, where, None)]
        while stack:
            item, at, parent = stack.pop()
            canonical, children, key = _convert(item, at, parent, source)
            out.append(to_resource(canonical, source, at))
            for i in reversed(range(len(children))):
                stack.append((children[i], f"{at}.{key}[{i}]", canonical))
    return out


# -- document shape -------------------------------------------------------------


def _is_psresource(obj: Any) -> bool:
    # A PowerShell object cannot hold both "Id" and "id", so lower-case id/type means ARM shape.
    return (
        isinstance(obj, Mapping)
        and ("ResourceId" in obj or "ResourceType" in obj)
        and "id" not in obj
        and "type" not in obj
    )


def _array_wrapper(obj: Any) -> list[Any] | None:
    """The array inside Windows PowerShell 5.1's ``{"value": [...], "Count": n}``."""
    if isinstance(obj, Mapping) and len(obj) == 2 and isinstance(obj.get("value"), list) and "Count" in obj:
        value: list[Any] = obj["value"]
        return value
    return None


def _first_item(items: list[Any]) -> Any:
    for item in items:
        inner = item if isinstance(item, list) else _array_wrapper(item)
        if inner is None:
            return item
        if inner:
            return inner[0]
    return None


def _top_level(document: Any) -> Iterator[tuple[Any, str]]:
    """(object, location) for each top-level PSResource. Arrays nested one level
    deep (``@($vaults, $accounts) | ConvertTo-Json``) are read too, as is their
    5.1 ``{"value", "Count"}`` form."""
    wrapped = _array_wrapper(document)
    if wrapped is not None:
        yield from ((obj, f"value[{i}]") for i, obj in enumerate(wrapped))
        return
    if not isinstance(document, list):
        yield document, "resource"
        return
    for i, item in enumerate(document):
        if isinstance(item, list):
            yield from ((obj, f"[{i}][{j}]") for j, obj in enumerate(item))
        elif (inner := _array_wrapper(item)) is not None:
            yield from ((obj, f"[{i}].value[{j}]") for j, obj in enumerate(inner))
        else:
            yield item, f"[{i}]"


# -- one object -------------------------------------------------------------------


class _Fields:
    """Case-insensitive access to one object's keys (PowerShell property names
    are case-insensitive, so a nested ARM-shaped child reads the same way)."""

    def __init__(self, obj: Mapping[str, Any], where: str, source: str) -> None:
        self._lower = {k.lower(): k for k in obj if isinstance(k, str)}
        self._obj = obj
        self.where = where
        self.source = source
        self.rid: str | None = None

    def key(self, name: str) -> str | None:
        return self._lower.get(name.lower())

    def get(self, name: str) -> Any:
        key = self.key(name)
        return self._obj[key] if key is not None else None

    def text(self, *names: str) -> str | None:
        """The first of ``names`` holding a non-empty string; an error if one holds another type."""
        for name in names:
            value = self.get(name)
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                self.fail(f"'{name}' is {json_kind(value)}, expected a string")
            return value
        return None

    def fail(self, problem: str) -> NoReturn:
        at = f"{self.where} ({self.rid})" if self.rid else self.where
        raise InputError(self.source, f"{at}: {problem}")


def _convert(
    obj: Any, where: str, parent: Mapping[str, Any] | None, source: str
) -> tuple[dict[str, Any], list[Any], str]:
    """The ARM-shaped copy of one PSResource, its nested resources and their key."""
    if not isinstance(obj, Mapping):
        raise InputError(source, f"{where}: expected a PSResource object, got {json_kind(obj)}")
    f = _Fields(obj, where, source)
    given = f.text("ResourceId", "Id")
    if given is not None and not given.startswith("/"):
        f.fail(f"'ResourceId' {given[:80]!r} is not an ARM resource id (it must start with '/')")
    f.rid = given
    ext_type = f.text("ExtensionResourceType")
    rtype = ext_type or f.text("ResourceType", "Type")
    if rtype is None:
        f.fail("'ResourceType' is missing (expected a type like 'Microsoft.Storage/storageAccounts')")
    name = f.text("ExtensionResourceName", "Name", "ResourceName") if ext_type else f.text("Name", "ResourceName")
    if parent is not None and "/" not in rtype:
        rtype = f"{parent['type']}/{rtype}"  # a child's short type, as in ARM templates
    if "/" not in rtype:
        f.fail(f"'ResourceType' {rtype!r} is not a type like 'Microsoft.Storage/storageAccounts'")
    if f.rid is None:
        if parent is None:
            f.fail("'ResourceId' is missing (expected an ARM resource id such as '/subscriptions/…')")
        f.rid = _nested_id(f, parent, rtype, name, extension=ext_type is not None)

    rid = f.rid
    out: dict[str, Any] = {"id": rid, "name": _leaf(name) if name else _leaf(rid), "type": rtype}
    for src, dst in (("Location", "location"), ("Kind", "kind"), ("ManagedBy", "managedBy")):
        if (value := f.text(src)) is not None:
            out[dst] = value
    for src, dst in (("Sku", "sku"), ("Plan", "plan")):
        if (block := _pascal_block(f, src)) is not None:
            out[dst] = block
    if (identity := _identity(f)) is not None:
        out["identity"] = identity
    tags = f.get("Tags")
    if tags is not None:
        if not isinstance(tags, Mapping):
            f.fail(f"'Tags' is {json_kind(tags)}, expected an object")
        out["tags"] = tags
    props = f.get("Properties")
    if props is not None:  # null: Get-AzResource without -ExpandProperties
        if not isinstance(props, Mapping):
            f.fail(f"'Properties' is {json_kind(props)}, expected an object")
        _reject_truncated(f, props)
        out["properties"] = props
    sub, group = _scope_names(rid)
    if (value := f.text("SubscriptionId") or sub) is not None:
        out["subscriptionId"] = value
    if (value := f.text("ResourceGroupName") or group) is not None:
        out["resourceGroup"] = value
    for src, dst in (("CreatedTime", "createdTime"), ("ChangedTime", "changedTime")):
        if (stamp := _timestamp(f.get(src))) is not None:
            out[dst] = stamp
    if (etag := f.text("ETag")) is not None:
        out["etag"] = etag

    key = f.key("resources")
    children = obj[key] if key is not None else None
    if (wrapped := _array_wrapper(children)) is not None:
        children = wrapped
    if children is None:
        return out, [], "resources"
    if not isinstance(children, list):
        f.fail(f"'{key}' is {json_kind(children)}, expected an array of resources")
    return out, children, str(key)


def _nested_id(f: _Fields, parent: Mapping[str, Any], rtype: str, name: str | None, *, extension: bool) -> str:
    """The id ARM gives a nested resource that carries only a name and a type:
    ``{parent}/{type}/{name}`` for a child, ``{scope}/providers/{type}/{name}`` for an extension."""
    if not name:
        f.fail("a nested resource needs a 'ResourceId' or a 'Name'")
    parent_id: str = parent["id"]
    parent_type: str = parent["type"]
    if not extension:
        rest = rtype[len(parent_type) + 1 :] if rtype.lower().startswith(parent_type.lower() + "/") else None
        if rest and "/" not in rest:
            return f"{parent_id}/{rest}/{_leaf(name)}"
        if _namespace(rtype) == _namespace(parent_type):
            f.fail(f"type {rtype!r} is not a child of {parent_type!r}; give the nested resource its 'ResourceId'")
    # An extension resource: interleave its type segments with its name segments.
    types = rtype.split("/")[1:]
    names = name.strip("/").split("/")
    if len(names) < len(types):
        f.fail(f"'Name' {name!r} has fewer segments than type {rtype!r}")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names[-len(types) :], strict=True))
    return f"{parent_id}/providers/{rtype.split('/', 1)[0]}/{path}"


def _pascal_block(f: _Fields, name: str) -> dict[str, Any] | None:
    """``Sku``/``Plan`` with ARM's lower-camel keys (``Name`` -> ``name``); nulls dropped as ARM omits them."""
    value = f.get(name)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        f.fail(f"'{name}' is {json_kind(value)}, expected an object")
    return {_camel(k): v for k, v in value.items() if v is not None}


def _identity(f: _Fields) -> dict[str, Any] | None:
    block = _pascal_block(f, "Identity")
    if block is None:
        return None
    kind = block.get("type")
    if isinstance(kind, int) and not isinstance(kind, bool):
        if not 0 <= kind < len(_IDENTITY_TYPES):
            f.fail(f"'Identity.Type' is {kind}, not a ResourceIdentityType (0-{len(_IDENTITY_TYPES) - 1})")
        block["type"] = _IDENTITY_TYPES[kind]
    assigned = block.get("userAssignedIdentities")
    if isinstance(assigned, Mapping):
        block["userAssignedIdentities"] = {
            k: {_camel(ik): iv for ik, iv in v.items() if iv is not None} if isinstance(v, Mapping) else v
            for k, v in assigned.items()
        }
    return block


def _reject_truncated(f: _Fields, props: Mapping[str, Any]) -> None:
    """Refuse Properties that ConvertTo-Json cut off at its -Depth (default 2):
    a rule would read ``"@{family=A; name=standard}"`` as a value."""
    stack: list[tuple[Any, str]] = [(props, "Properties")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, Mapping):
            stack.extend((v, f"{path}.{k}") for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, str) and _TRUNCATED.match(value):
            shown = value if len(value) <= 40 else value[:37] + "..."
            f.fail(
                f"{path} is {shown!r}, an object ConvertTo-Json cut off at its depth limit; "
                "re-export with ConvertTo-Json -Depth 100"
            )


def _timestamp(value: Any) -> str | None:
    """ISO 8601 from PowerShell 7's ISO string or 5.1's ``/Date(ms)/``."""
    if isinstance(value, Mapping):  # a PSObject-wrapped DateTime in 5.1: {"value": ..., "DateTime": ...}
        value = value.get("value")
    if not isinstance(value, str) or not value:
        return None
    match = _PS_DATE.match(value)
    if not match:
        return value
    try:
        moment = datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return value
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _scope_names(rid: str) -> tuple[str | None, str | None]:
    """(subscription id, resource group name) as spelled in the id."""
    parts = rid.split("/")
    sub = parts[2] if len(parts) > 2 and parts[1].lower() == "subscriptions" and parts[2] else None
    group = parts[4] if sub and len(parts) > 4 and parts[3].lower() == "resourcegroups" and parts[4] else None
    return sub, group


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:]


def _leaf(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def _namespace(rtype: str) -> str:
    return rtype.split("/", 1)[0].lower()

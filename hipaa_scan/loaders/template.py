"""Flatten an ARM deployment template into resources.

Exports from ``az group export`` or the portal are templates, not live state.
Literal parameter defaults and variables are resolved; anything that depends
on deployment-time functions (``reference()``, ``uniqueString()``,
``resourceGroup().location`` ...) becomes an ``Unresolved`` value, which every
rule reads as unknown, never as a pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from hipaa_scan.errors import InputError
from hipaa_scan.loaders.arm import json_kind, to_resource
from hipaa_scan.loaders.expressions import MAX_ITEMS, Evaluator, UnresolvableError, parse
from hipaa_scan.model import Resource, Semantics, Unresolved

# Templates carry no subscription or resource group; resources get ids under
# this placeholder scope so parent/child/extension lookups still work.
TEMPLATE_SUBSCRIPTION = "template"

# apiVersion stays: service defaults depend on it.
_SKIP_KEYS = frozenset({"resources", "dependsOn", "copy", "condition", "comments", "scope"})


def _literal(value: Any) -> bool:
    """A JSON value with no expression in it, kept as it is. Most of a
    template's values are; telling so inline spares a call per value."""
    kind = type(value)
    return (kind is str and not value.startswith("[")) or kind is bool or kind is int or kind is float or value is None


class _Evaluator:
    """Resolves template values: parameters (defaults, or a parameters file),
    variables (including variables that use variables and variable copy
    loops), ``resourceId()`` within the template's scope, and ``copyIndex()``
    inside copy loops, on top of the pure functions of ``expressions``."""

    def __init__(
        self,
        template: Mapping[str, Any],
        resource_group: str,
        scope_prefix: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self._document, self._values = template, values
        self._params: dict[str, Any] = {}
        params = template.get("parameters") or {}
        if isinstance(params, Mapping):
            for key, spec in params.items():
                if isinstance(spec, Mapping) and "defaultValue" in spec:
                    self._params[key.lower()] = spec["defaultValue"]
                # A parameters file wins over the default, for parameters the template declares.
                if values and key.lower() in values:
                    self._params[key.lower()] = values[key.lower()]
        variables = template.get("variables") or {}
        self._variables = {k.lower(): v for k, v in variables.items()} if isinstance(variables, Mapping) else {}
        self._resolving: set[str] = set()
        self._cache: dict[str, Any] = {}
        # While resolving a resource name, a parameter without a default stands
        # for itself ("{nsgName}"), so an NSG named [parameters('nsgName')] and
        # its rule named [format('{0}/rdp', parameters('nsgName'))] still join.
        self._symbolic = False
        # copyIndex(): loop name ("" for the resource loop) -> current index.
        self._loops: dict[str, int] = {}
        self._symbolic_loops: list[str] = []
        default_scope = f"/subscriptions/{TEMPLATE_SUBSCRIPTION}/resourceGroups/{resource_group}"
        self.scope_prefix = default_scope if scope_prefix is None else scope_prefix
        self.resource_group = resource_group
        self.semantics = Semantics.DESIRED
        self.gaps: list[str] = []  # what the template points at but the input lacks
        self.nesting = 0
        self._expressions = Evaluator(
            {
                "parameters": self._parameter,
                "variables": self._variable,
                "resourceid": self._resource_id,
                "copyindex": self._copy_index,
            },
            names=self._names,
        )

    # -- public -------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Resolve every expression inside a JSON value, expanding property copy loops."""
        kind = type(value)
        # Exact-type tests first: a template is mostly plain JSON literals, and
        # isinstance against the Mapping ABC costs several times more.
        if kind is str:
            return self.resolve_string(value) if value.startswith("[") else value
        if kind is bool or kind is int or kind is float or value is None:
            return value
        if kind is list:
            return [v if _literal(v) else self.resolve(v) for v in value]
        if isinstance(value, str):
            return self.resolve_string(value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if kind is dict or isinstance(value, Mapping):
            out = {
                k: v if _literal(v) else self.resolve(v)
                for k, v in value.items()
                if k != "copy" or not isinstance(v, list)
            }
            loops = value.get("copy")
            if isinstance(loops, list):
                out.update(self._property_loops(loops))
            return out
        return value

    def resolve_name(self, value: Any) -> Any:
        """A resource name, with undefaulted parameters kept as symbols."""
        # try/finally rather than the _names() context manager: called per resource.
        saved, self._symbolic = self._symbolic, True
        try:
            return self.resolve(value)
        finally:
            self._symbolic = saved

    @contextlib.contextmanager
    def _names(self) -> Iterator[None]:
        saved, self._symbolic = self._symbolic, True
        try:
            yield
        finally:
            self._symbolic = saved

    def resolve_string(self, text: str) -> Any:
        if not (text.startswith("[") and text.endswith("]")):
            return text
        if text.startswith("[["):
            return text[1:]  # escaped literal bracket
        try:
            return self._expressions.evaluate(parse(text[1:-1]))
        except (UnresolvableError, RecursionError):
            # RecursionError: hostile nesting such as concat(concat(concat(...))).
            return Unresolved(text)

    def count(self, spec: Any) -> int | None:
        """A copy loop's count, when it can be known before deployment."""
        count = self.resolve(spec.get("count")) if isinstance(spec, Mapping) else None
        if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_ITEMS:
            return count
        return None

    def elsewhere(self, scope_prefix: str) -> _Evaluator:
        """The same template context deploying at another scope."""
        other = _Evaluator(self._document, self.resource_group, scope_prefix, self._values)
        other._loops = self._loops
        return other

    def in_loop(self, name: str, index: int) -> _LoopScope:
        return _LoopScope(self._loops, name, index)

    def symbolic_loop(self, name: str) -> _LoopScope:
        """A loop whose count is unknown: in names copyIndex() is "{name[*]}"."""
        self._symbolic_loops.append(name)
        return _LoopScope(self._loops, "", None, on_exit=self._symbolic_loops.pop)

    # -- functions ------------------------------------------------------------
    def _parameter(self, args: list[Any]) -> Any:
        name = _str_arg(args, 0)
        if name.lower() not in self._params:
            if self._symbolic:
                return "{" + name + "}"
            raise UnresolvableError(f"parameter {name} has no value")
        value = self.resolve(self._params[name.lower()])
        if self._symbolic and isinstance(value, Unresolved):
            return "{" + name + "}"  # e.g. a default of [uniqueString(resourceGroup().id)]
        return value

    def _variable(self, args: list[Any]) -> Any:
        name = _str_arg(args, 0).lower()
        if name in self._cache:
            return self._cache[name]
        if name in self._resolving:
            raise UnresolvableError("variables refer to each other in a cycle")
        self._resolving.add(name)
        try:
            if name in self._variables:
                # Parts known only at deployment stay Unresolved inside the value.
                value = self.resolve(self._variables[name])
            else:
                value = self._variable_loop(name)
        finally:
            self._resolving.discard(name)
        if not self._loops:  # a variable read inside a loop may depend on copyIndex()
            self._cache[name] = value
        return value

    def _variable_loop(self, name: str) -> Any:
        loops = self._variables.get("copy")
        for spec in loops if isinstance(loops, list) else []:
            if isinstance(spec, Mapping) and str(spec.get("name", "")).lower() == name:
                return self._expand(spec, str(spec.get("name")))
        raise UnresolvableError(f"no variable {name}")

    def _property_loops(self, loops: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in loops:
            if isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
                try:
                    out[spec["name"]] = self._expand(spec, spec["name"])
                except UnresolvableError:
                    out[spec["name"]] = Unresolved(f"copy loop {spec['name']}")
        return out

    def _expand(self, spec: Mapping[str, Any], name: str) -> list[Any]:
        count = self.count(spec)
        if count is None:
            raise UnresolvableError(f"copy loop {name}: count unknown before deployment")
        items = []
        for index in range(count):
            with self.in_loop(name, index):
                items.append(self.resolve(spec.get("input")))
        return items

    def _copy_index(self, args: list[Any]) -> int | str:
        loop, offset = "", 0
        if args and isinstance(args[0], str):
            loop = args[0]
            args = args[1:]
        if args:
            offset = _int_arg(args, 0)
        key = next((k for k in self._loops if k.lower() == loop.lower()), None)
        if key is None:
            if self._symbolic and self._symbolic_loops:
                return "{" + self._symbolic_loops[-1] + "[*]}"
            raise UnresolvableError("copyIndex() outside its loop")
        return self._loops[key] + offset

    def _resource_id(self, args: list[Any]) -> str:
        strings = [_str_arg(args, i) for i in range(len(args))]
        if len(strings) < 2 or strings[0].count("/") < 1:
            raise UnresolvableError("subscription- or group-qualified resourceId()")
        rtype, names = strings[0], strings[1:]
        segments = rtype.split("/")
        provider, types = segments[0], segments[1:]
        if len(types) != len(names):
            raise UnresolvableError("resourceId() names do not match its type")
        path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
        return f"{self.scope_prefix}/providers/{provider}/{path}"


class _LoopScope:
    """``with evaluator.in_loop(name, i):`` sets copyIndex() for the block
    (``index`` None: leaves the loops alone and only runs ``on_exit``)."""

    def __init__(
        self, loops: dict[str, int], name: str, index: int | None, on_exit: Callable[[], object] | None = None
    ) -> None:
        self._loops, self._name, self._index, self._on_exit = loops, name, index, on_exit
        self._saved: int | None = None

    def __enter__(self) -> None:
        if self._index is not None:
            self._saved = self._loops.get(self._name)
            self._loops[self._name] = self._index

    def __exit__(self, *exc: object) -> None:
        if self._on_exit is not None:
            self._on_exit()
        if self._index is None:
            return
        if self._saved is None:
            self._loops.pop(self._name, None)
        else:
            self._loops[self._name] = self._saved


def _str_arg(args: list[Any], index: int) -> str:
    if index >= len(args) or not isinstance(args[index], str):
        raise UnresolvableError("a string argument is expected")
    return str(args[index])


def _int_arg(args: list[Any], index: int) -> int:
    if index >= len(args) or not isinstance(args[index], int) or isinstance(args[index], bool):
        raise UnresolvableError("an integer argument is expected")
    return int(args[index])


def is_template(document: Mapping[str, Any]) -> bool:
    schema = document.get("$schema")
    if isinstance(schema, str) and "deploymentTemplate" in schema:
        return True
    return "contentVersion" in document and isinstance(document.get("resources"), list)


# Resources that exist only at subscription scope, whatever scope the template deploys to.
SUBSCRIPTION_ONLY_TYPES = frozenset(
    {
        "microsoft.security/pricings",
        "microsoft.security/securitycontacts",
        "microsoft.security/autoprovisioningsettings",
        "microsoft.security/workspacesettings",
    }
)


def deployment_scope(document: Mapping[str, Any], resource_group: str) -> str:
    """The scope a template deploys to, from its ``$schema``: resource group
    (the default), subscription, management group or tenant."""
    schema = str(document.get("$schema", "")).lower()
    if "subscriptiondeploymenttemplate" in schema:
        return f"/subscriptions/{TEMPLATE_SUBSCRIPTION}"
    if "managementgroupdeploymenttemplate" in schema:
        return f"/providers/Microsoft.Management/managementGroups/{TEMPLATE_SUBSCRIPTION}"
    if "tenantdeploymenttemplate" in schema:
        return ""
    return f"/subscriptions/{TEMPLATE_SUBSCRIPTION}/resourceGroups/{resource_group}"


def is_parameters_file(document: Mapping[str, Any]) -> bool:
    return "deploymentparameters" in str(document.get("$schema", "")).lower()


def parameter_values(document: Any, source: str) -> dict[str, Any]:
    """The values of an ARM parameters file (lower-cased names). A Key Vault
    reference is a secret fetched at deployment: it stays unresolved."""
    if not isinstance(document, Mapping) or not isinstance(document.get("parameters"), Mapping):
        raise InputError(source, "not an ARM parameters file (expected an object with 'parameters')")
    out: dict[str, Any] = {}
    for name, entry in document["parameters"].items():
        if not isinstance(entry, Mapping) or not ("value" in entry or "reference" in entry):
            raise InputError(source, f"parameters.{name}: expected {{'value': ...}} or a Key Vault 'reference'")
        out[str(name).lower()] = entry["value"] if "value" in entry else Unresolved(f"Key Vault reference for {name}")
    return out


def flatten_template(
    document: Mapping[str, Any],
    source: str,
    resource_group: str,
    parameters: Mapping[str, Any] | None = None,
    semantics: Semantics = Semantics.DESIRED,
    gaps: list[str] | None = None,
) -> list[Resource]:
    """The template's resources, then the parents it adds children to
    without declaring (see ``_missing_parents``). What the template points at
    but the input lacks (a linked template) is appended to ``gaps``."""
    evaluator = _Evaluator(document, resource_group, deployment_scope(document, resource_group), parameters)
    evaluator.semantics = semantics
    if gaps is not None:
        evaluator.gaps = gaps
    resources = document.get("resources")
    if not isinstance(resources, list):
        raise InputError(source, f"ARM template 'resources' is {json_kind(resources)}, expected an array")
    out: list[Resource] = []
    for index, item in enumerate(resources):
        _flatten(item, evaluator, source, f"resources[{index}]", None, out)
    if semantics is Semantics.DESIRED:
        out = _join_private_endpoints(out, source)
    return out + _missing_parents(out, source)


PRIVATE_ENDPOINTS = "microsoft.network/privateendpoints"


def _join_private_endpoints(resources: list[Resource], source: str) -> list[Resource]:
    """After deployment a private endpoint shows up on its target as a private
    endpoint connection: Approved for an automatic connection
    (``privateLinkServiceConnections``), Pending for a manual one. Give the
    template's targets those connections, so "has an approved private
    endpoint" is judged from the template."""
    connections: dict[str, list[dict[str, Any]]] = {}
    for endpoint in resources:
        if endpoint.type_key != PRIVATE_ENDPOINTS:
            continue
        props = endpoint.raw.get("properties")
        for key, status in (
            ("privateLinkServiceConnections", "Approved"),
            ("manualPrivateLinkServiceConnections", "Pending"),
        ):
            entries = props.get(key) if isinstance(props, Mapping) else None
            for entry in entries if isinstance(entries, list) else []:
                target = entry.get("properties", {}).get("privateLinkServiceId") if isinstance(entry, Mapping) else None
                if isinstance(target, str):
                    connections.setdefault(target.lower().rstrip("/"), []).append(
                        {
                            "name": f"{endpoint.name}-connection",
                            "properties": {
                                "privateEndpoint": {"id": endpoint.id},
                                "privateLinkServiceConnectionState": {
                                    "status": status,
                                    "description": "from the template",
                                },
                            },
                        }
                    )
    if not connections:
        return resources
    out = []
    for resource in resources:
        extra = connections.get(resource.key)
        props = resource.raw.get("properties")
        if extra and isinstance(props, Mapping):
            existing = props.get("privateEndpointConnections")
            merged = [*(existing if isinstance(existing, list) else []), *extra]
            raw = {**resource.raw, "properties": {**props, "privateEndpointConnections": merged}}
            resource = to_resource(raw, source, resource.id, resource.semantics)
        out.append(resource)
    return out


def _missing_parents(resources: list[Resource], source: str) -> list[Resource]:
    """A standalone child (an NSG rule, a SQL firewall rule) whose parent is
    deployed elsewhere still says something about that parent: synthesize the
    parent from the child's id, with no properties, so the parent's rules judge
    what the template declares (an NSG rule open to the Internet fails) and
    report everything else as unknown."""
    present = {r.key for r in resources}
    out: list[Resource] = []
    pending = list(resources)
    while pending:
        child = pending.pop()
        segments = child.type.split("/")
        parts = child.id.rstrip("/").split("/")
        if len(segments) < 3 or len(parts) < 2 or parts[-2].lower() != segments[-1].lower():
            continue  # a top-level resource or an extension: no parent to infer
        parent_id = "/".join(parts[:-2])
        if parent_id.lower() in present:
            continue
        present.add(parent_id.lower())
        parent = to_resource(
            {"id": parent_id, "type": "/".join(segments[:-1]), "name": parts[-3]},
            source,
            f"(parent of {child.id}, not in the template)",
        )
        out.append(parent)
        pending.append(parent)  # a database's server may be missing too
    return out


def _flatten(
    item: object,
    ev: _Evaluator,
    source: str,
    where: str,
    parent: tuple[str, str] | None,
    out: list[Resource],
) -> None:
    if type(item) is not dict and not isinstance(item, Mapping):
        raise InputError(source, f"{where}: expected a resource object, got {json_kind(item)}")
    loop = item.get("copy")
    if loop is not None and isinstance(loop, Mapping):
        body = {k: v for k, v in item.items() if k != "copy"}
        name = str(loop.get("name") or "copy")
        count = ev.count(loop)
        if count is None:
            # The count is known only at deployment: judge one instance standing
            # for all, its name marked, anything that depends on copyIndex() unresolved.
            with ev.symbolic_loop(name):
                _flatten(body, ev, source, f"{where} (copy {name})", parent, out)
            return
        for index in range(count):
            with ev.in_loop(name, index), ev.in_loop("", index):
                _flatten(body, ev, source, f"{where}[copy {index}]", parent, out)
        return
    if "condition" in item and ev.resolve(item["condition"]) is False:
        return  # literally never deployed
    if str(item.get("type", "")).lower() == DEPLOYMENTS:
        _nested_deployment(item, ev, source, where, out)
        return
    rtype = ev.resolve(item.get("type"))
    name = ev.resolve_name(item.get("name"))
    if not isinstance(rtype, str):
        raise InputError(source, f"{where}: template resource 'type' is {json_kind(rtype)}, expected a string")
    name_text = name if isinstance(name, str) else str(name)
    if parent is not None and rtype.count("/") == 0:
        rtype = f"{parent[0]}/{rtype}"
        name_text = f"{parent[1]}/{name_text}"
    rid, rtype = _template_id(rtype, name_text, ev, item)
    body = {k: v if _literal(v) else ev.resolve(v) for k, v in item.items() if k not in _SKIP_KEYS}
    body["id"] = rid
    body["type"] = rtype
    body["name"] = name_text.rsplit("/", 1)[-1]
    props = body.get("properties")
    # An expression standing for the whole block ([union(...)], [if(...)]) is a
    # valid template: the block is Unresolved and rules reading it are unknown.
    if props is not None and type(props) is not dict and not isinstance(props, Mapping | Unresolved):
        raise InputError(source, f"{where} ({rid}): 'properties' is {json_kind(props)}, expected an object")
    out.append(to_resource(body, source, where, ev.semantics))
    children = item.get("resources") or []
    if not isinstance(children, list):
        raise InputError(source, f"{where}: nested 'resources' is {json_kind(children)}, expected an array")
    for index, child in enumerate(children):
        _flatten(child, ev, source, f"{where}.resources[{index}]", (rtype, name_text), out)


DEPLOYMENTS = "microsoft.resources/deployments"
MAX_NESTING = 10


def _nested_deployment(item: Mapping[str, Any], ev: _Evaluator, source: str, where: str, out: list[Resource]) -> None:
    """An inline nested deployment (what Bicep modules compile to) deploys its
    template's resources: flatten them. With ``expressionEvaluationOptions``
    scope ``inner`` the template has its own parameters, given values by the
    outer template; otherwise its expressions use the outer template's. A
    linked template is not in the input: a recorded gap, never a guess."""
    props = item.get("properties")
    if not isinstance(props, Mapping):
        return
    name = ev.resolve_name(item.get("name"))
    template = props.get("template")
    if not isinstance(template, Mapping):
        if "templateLink" in props:
            ev.gaps.append(f"{where} ({name}): linked template {props['templateLink']!r} is not in the input")
        return
    if ev.nesting >= MAX_NESTING:
        ev.gaps.append(f"{where} ({name}): deployments nested more than {MAX_NESTING} deep are not read")
        return
    group = ev.resolve(item.get("resourceGroup")) if "resourceGroup" in item else None
    options = props.get("expressionEvaluationOptions")
    inner_scope = isinstance(options, Mapping) and str(options.get("scope", "")).lower() == "inner"
    if inner_scope:
        given = props.get("parameters")
        values = {
            str(key).lower(): ev.resolve(spec["value"])
            if isinstance(spec, Mapping) and "value" in spec
            else Unresolved(f"{key}")
            for key, spec in (given.items() if isinstance(given, Mapping) else [])
        }
        rg = group if isinstance(group, str) else ev.resource_group
        inner = _Evaluator(template, rg, deployment_scope(template, rg), values)
    elif isinstance(group, str):
        # The outer template's parameters and variables, in another resource group.
        inner = ev.elsewhere(f"/subscriptions/{TEMPLATE_SUBSCRIPTION}/resourceGroups/{group}")
    else:
        inner = ev.elsewhere(ev.scope_prefix)
    inner.semantics, inner.gaps, inner.nesting = ev.semantics, ev.gaps, ev.nesting + 1
    resources = template.get("resources")
    for index, child in enumerate(resources if isinstance(resources, list) else []):
        _flatten(child, inner, source, f"{where}.properties.template.resources[{index}]", None, out)


def _template_id(rtype: str, name: str, ev: _Evaluator, item: Mapping[str, Any]) -> tuple[str, str]:
    """Build an ARM id for a template resource; returns (id, canonical type)."""
    segments = rtype.split("/")
    names = name.split("/")
    # Old-style extension: type "Microsoft.KeyVault/vaults/providers/diagnosticSettings",
    # name "kv1/Microsoft.Insights/setting".
    lowered = [s.lower() for s in segments]
    if "providers" in lowered:
        at = lowered.index("providers")
        base_types = segments[1:at]
        ext_type = segments[at + 1 :]
        base = "/".join(f"{t}/{n}" for t, n in zip(base_types, names, strict=False))
        ext_ns = names[len(base_types)] if len(names) > len(base_types) else "Microsoft.Insights"
        ext_names = names[len(base_types) + 1 :]
        ext = "/".join(f"{t}/{n}" for t, n in zip(ext_type, ext_names, strict=False))
        canonical = f"{ext_ns}/{'/'.join(ext_type)}"
        return f"{ev.scope_prefix}/providers/{segments[0]}/{base}/providers/{ext_ns}/{ext}", canonical
    path = "/".join(f"{t}/{n}" for t, n in zip(segments[1:], names, strict=False))
    own = f"providers/{segments[0]}/{path}"
    scope = ev.resolve(item.get("scope")) if "scope" in item else None
    if isinstance(scope, str) and scope:
        if scope.startswith("/"):
            return f"{scope.rstrip('/')}/{own}", rtype
        # Relative scope "Microsoft.KeyVault/vaults/kv1".
        return f"{ev.scope_prefix}/providers/{scope.strip('/')}/{own}", rtype
    if rtype.lower() in SUBSCRIPTION_ONLY_TYPES:
        return f"/subscriptions/{TEMPLATE_SUBSCRIPTION}/{own}", rtype
    return f"{ev.scope_prefix}/{own}", rtype

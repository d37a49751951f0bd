"""Flatten an ARM deployment template into resources.

Exports from ``az group export`` or the portal are templates, not live state.
Literal parameter defaults and variables are resolved; anything that depends
on deployment-time functions (``reference()``, ``uniqueString()``,
``resourceGroup().location`` ...) becomes an ``Unresolved`` value, which every
rule reads as unknown, never as a pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from hipaa_scan.errors import InputError
from hipaa_scan.loaders.arm import json_kind, to_resource
from hipaa_scan.model import Resource, Unresolved

# Templates carry no subscription or resource group; resources get ids under
# this placeholder scope so parent/child/extension lookups still work.
TEMPLATE_SUBSCRIPTION = "template"

_SKIP_KEYS = frozenset({"resources", "dependsOn", "apiVersion", "copy", "condition", "comments", "scope"})


class _UnresolvableError(Exception):
    """Raised inside the evaluator; becomes an Unresolved value."""


class _Evaluator:
    def __init__(self, template: Mapping[str, Any], resource_group: str) -> None:
        self._params: dict[str, Any] = {}
        params = template.get("parameters") or {}
        if isinstance(params, Mapping):
            for key, spec in params.items():
                if isinstance(spec, Mapping) and "defaultValue" in spec:
                    self._params[key.lower()] = spec["defaultValue"]
        variables = template.get("variables") or {}
        self._variables = {k.lower(): v for k, v in variables.items()} if isinstance(variables, Mapping) else {}
        self._resolving: set[str] = set()
        # While resolving a resource name, a parameter without a default stands
        # for itself ("{nsgName}"), so an NSG named [parameters('nsgName')] and
        # its rule named [format('{0}/rdp', parameters('nsgName'))] still join.
        self._symbolic = False
        self.scope_prefix = f"/subscriptions/{TEMPLATE_SUBSCRIPTION}/resourceGroups/{resource_group}"
        self._functions: dict[str, Callable[[list[Any]], Any]] = {
            "parameters": self._parameter,
            "variables": self._variable,
            "concat": _concat,
            "format": _format,
            "tolower": lambda a: _str_arg(a, 0).lower(),
            "toupper": lambda a: _str_arg(a, 0).upper(),
            "string": lambda a: a[0] if isinstance(a[0], str) else str(a[0]).lower(),
            "int": lambda a: int(a[0]),
            "bool": lambda a: a[0] if isinstance(a[0], bool) else str(a[0]).lower() == "true",
            "true": lambda a: True,
            "false": lambda a: False,
            "createarray": lambda a: list(a),
            "resourceid": self._resource_id,
        }

    # -- public -------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Resolve every expression inside a JSON value."""
        if isinstance(value, str):
            return self.resolve_string(value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, Mapping):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def resolve_name(self, value: Any) -> Any:
        """A resource name, with undefaulted parameters kept as symbols."""
        self._symbolic = True
        try:
            return self.resolve(value)
        finally:
            self._symbolic = False

    def resolve_string(self, text: str) -> Any:
        if not (text.startswith("[") and text.endswith("]")):
            return text
        if text.startswith("[["):
            return text[1:]  # escaped literal bracket
        try:
            parser = _Parser(text[1:-1], self._functions)
            return parser.parse()
        except (_UnresolvableError, RecursionError):
            # RecursionError: hostile nesting such as concat(concat(concat(...))).
            return Unresolved(text)

    # -- functions ------------------------------------------------------------
    def _parameter(self, args: list[Any]) -> Any:
        name = _str_arg(args, 0)
        if name.lower() not in self._params:
            if self._symbolic:
                return "{" + name + "}"
            raise _UnresolvableError
        return self._checked(self.resolve(self._params[name.lower()]))

    def _variable(self, args: list[Any]) -> Any:
        name = _str_arg(args, 0).lower()
        if name not in self._variables or name in self._resolving:
            raise _UnresolvableError
        self._resolving.add(name)
        try:
            return self._checked(self.resolve(self._variables[name]))
        finally:
            self._resolving.discard(name)

    def _resource_id(self, args: list[Any]) -> str:
        strings = [_str_arg(args, i) for i in range(len(args))]
        if len(strings) < 2 or strings[0].count("/") < 1:
            raise _UnresolvableError  # subscription/group-qualified forms are not literal here
        rtype, names = strings[0], strings[1:]
        segments = rtype.split("/")
        provider, types = segments[0], segments[1:]
        if len(types) != len(names):
            raise _UnresolvableError
        path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
        return f"{self.scope_prefix}/providers/{provider}/{path}"

    @staticmethod
    def _checked(value: Any) -> Any:
        if _contains_unresolved(value):
            raise _UnresolvableError
        return value


def _contains_unresolved(value: Any) -> bool:
    if isinstance(value, Unresolved):
        return True
    if isinstance(value, list):
        return any(_contains_unresolved(v) for v in value)
    if isinstance(value, Mapping):
        return any(_contains_unresolved(v) for v in value.values())
    return False


def _str_arg(args: list[Any], index: int) -> str:
    if index >= len(args) or not isinstance(args[index], str):
        raise _UnresolvableError
    return str(args[index])


def _concat(args: list[Any]) -> Any:
    if args and all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    if all(isinstance(a, str | int) and not isinstance(a, bool) for a in args):
        return "".join(str(a) for a in args)
    raise _UnresolvableError


def _format(args: list[Any]) -> str:
    template = _str_arg(args, 0)
    values = args[1:]

    def sub(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index >= len(values) or not isinstance(values[index], str | int):
            raise _UnresolvableError
        return str(values[index])

    return re.sub(r"\{(\d+)\}", sub, template)


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[(),.\[\]]))"
)


class _Parser:
    """Recursive-descent parser for the ARM expression language subset we
    evaluate. Unknown functions, property access on results and indexing
    raise _UnresolvableError."""

    def __init__(self, text: str, functions: Mapping[str, Callable[[list[Any]], Any]]) -> None:
        self._tokens = self._tokenize(text)
        self._pos = 0
        self._functions = functions

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match:
                raise _UnresolvableError
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            pos = match.end()
        return tokens

    def parse(self) -> Any:
        value = self._expression()
        if self._pos != len(self._tokens):
            raise _UnresolvableError  # trailing member access, indexing, ...
        return value

    def _next(self) -> tuple[str, str]:
        if self._pos >= len(self._tokens):
            raise _UnresolvableError
        token = self._tokens[self._pos]
        self._pos += 1
        return token

    def _peek(self) -> tuple[str, str] | None:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _expression(self) -> Any:
        kind, text = self._next()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return int(text)
        if kind != "name":
            raise _UnresolvableError
        if self._next() != ("punct", "("):
            raise _UnresolvableError
        args: list[Any] = []
        if self._peek() == ("punct", ")"):
            self._next()
        else:
            while True:
                args.append(self._expression())
                sep = self._next()
                if sep == ("punct", ")"):
                    break
                if sep != ("punct", ","):
                    raise _UnresolvableError
        function = self._functions.get(text.lower())
        if function is None:
            raise _UnresolvableError
        try:
            return function(args)
        except (ValueError, TypeError, IndexError):
            raise _UnresolvableError from None


def is_template(document: Mapping[str, Any]) -> bool:
    schema = document.get("$schema")
    if isinstance(schema, str) and "deploymentTemplate" in schema:
        return True
    return "contentVersion" in document and isinstance(document.get("resources"), list)


def flatten_template(document: Mapping[str, Any], source: str, resource_group: str) -> list[Resource]:
    evaluator = _Evaluator(document, resource_group)
    resources = document.get("resources")
    if not isinstance(resources, list):
        raise InputError(source, f"ARM template 'resources' is {json_kind(resources)}, expected an array")
    out: list[Resource] = []
    for index, item in enumerate(resources):
        _flatten(item, evaluator, source, f"resources[{index}]", None, out)
    return out + _missing_parents(out, source)


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
    if not isinstance(item, Mapping):
        raise InputError(source, f"{where}: expected a resource object, got {json_kind(item)}")
    condition = ev.resolve(item.get("condition", True))
    if condition is False:
        return  # literally never deployed
    rtype = ev.resolve(item.get("type"))
    name = ev.resolve_name(item.get("name"))
    if not isinstance(rtype, str):
        raise InputError(source, f"{where}: template resource 'type' is {json_kind(rtype)}, expected a string")
    name_text = name if isinstance(name, str) else str(name)
    if parent is not None and rtype.count("/") == 0:
        rtype = f"{parent[0]}/{rtype}"
        name_text = f"{parent[1]}/{name_text}"
    rid, rtype = _template_id(rtype, name_text, ev, item)
    body = {k: ev.resolve(v) for k, v in item.items() if k not in _SKIP_KEYS}
    body["id"] = rid
    body["type"] = rtype
    body["name"] = name_text.rsplit("/", 1)[-1]
    props = body.get("properties")
    # An expression standing for the whole block ([union(...)], [if(...)]) is a
    # valid template: the block is Unresolved and rules reading it are unknown.
    if props is not None and not isinstance(props, Mapping | Unresolved):
        raise InputError(source, f"{where} ({rid}): 'properties' is {json_kind(props)}, expected an object")
    out.append(to_resource(body, source, where))
    children = item.get("resources") or []
    if not isinstance(children, list):
        raise InputError(source, f"{where}: nested 'resources' is {json_kind(children)}, expected an array")
    for index, child in enumerate(children):
        _flatten(child, ev, source, f"{where}.resources[{index}]", (rtype, name_text), out)


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
    return f"{ev.scope_prefix}/{own}", rtype

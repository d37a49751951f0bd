"""The ARM template expression language: a parser to a small syntax tree and
an evaluator for the functions that decide security settings.

Deploy-time functions (``reference()``, ``list*()``, ``utcNow()``,
``newGuid()``, ``uniqueString()``, ``resourceGroup()``, ``subscription()``,
``deployment()`` ...) are deliberately absent: an expression that needs one
cannot be known before deployment and evaluates to ``Unresolvable``, which the
template loader turns into an ``Unresolved`` value that rules read as unknown.

``if``, ``coalesce``, ``and`` and ``or`` evaluate lazily, as Resource Manager
does: ``if(true(), 'x', reference(...))`` is 'x'. Sizes are bounded, so a
hostile template cannot make the scanner build a huge value.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hipaa_scan.model import Unresolved

# Resource Manager's own limit on copy loops; also bounds range() and friends.
MAX_ITEMS = 800
MAX_STRING = 1_000_000


class UnresolvableError(Exception):
    """The expression needs something only a deployment knows."""


# --- syntax -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # lower-cased
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Member:
    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    target: Node
    index: Node


Node = Literal | Call | Member | Index

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_$][A-Za-z0-9_$]*)|(?P<punct>[(),.\[\]]))"
)


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> Node:
    """Parse the inside of ``[...]``. Cached: syntax trees are immutable, and a
    template repeats the same expressions across its copies and resources."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise UnresolvableError(f"cannot parse at {pos}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.pos != len(tokens):
        raise UnresolvableError("trailing tokens")
    return node


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _next(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise UnresolvableError("unexpected end")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def expression(self) -> Node:
        node = self._primary()
        while (token := self._peek()) in (("punct", "."), ("punct", "[")):
            self._next()
            if token == ("punct", "."):
                kind, name = self._next()
                if kind != "name":
                    raise UnresolvableError("member name expected")
                node = Member(node, name)
            else:
                node = Index(node, self.expression())
                if self._next() != ("punct", "]"):
                    raise UnresolvableError("']' expected")
        return node

    def _primary(self) -> Node:
        kind, text = self._next()
        if kind == "str":
            return Literal(text[1:-1].replace("''", "'"))
        if kind == "num":
            return Literal(int(text))
        if kind != "name" or self._next() != ("punct", "("):
            raise UnresolvableError("function call expected")
        args: list[Node] = []
        if self._peek() == ("punct", ")"):
            self._next()
        else:
            while True:
                args.append(self.expression())
                sep = self._next()
                if sep == ("punct", ")"):
                    break
                if sep != ("punct", ","):
                    raise UnresolvableError("',' or ')' expected")
        return Call(text.lower(), tuple(args))


# --- evaluation ---------------------------------------------------------------

Function = Callable[[list[Any]], Any]


class Evaluator:
    """Evaluates syntax trees. ``functions`` maps lower-cased names to
    callables over evaluated arguments; ``if``, ``coalesce``, ``and`` and
    ``or`` are handled here because their arguments are evaluated lazily."""

    def __init__(
        self,
        functions: Mapping[str, Function],
        names: Callable[[], contextlib.AbstractContextManager[None]] | None = None,
    ) -> None:
        self.functions = {**PURE_FUNCTIONS, **functions}
        # resourceId() builds a reference, not a value a rule judges: its
        # arguments are read as names (see the template loader's symbols).
        self._names = names

    def evaluate(self, node: Node) -> Any:
        match node:
            case Literal(value):
                return value
            case Member(target, name):
                return _member(self.evaluate(target), name)
            case Index(target, index):
                return _index(self.evaluate(target), self.evaluate(index))
            case Call("if", args):
                if len(args) != 3:
                    raise UnresolvableError("if() takes 3 arguments")
                condition = self.evaluate(args[0])
                if not isinstance(condition, bool):
                    raise UnresolvableError("if() condition is not a boolean")
                return self.evaluate(args[1] if condition else args[2])
            case Call("coalesce", args):
                for arg in args:
                    value = self.evaluate(arg)
                    if value is not None:
                        return value
                return None
            case Call("and" | "or" as name, args):
                return self._logical(name, args)
            case Call(name, args):
                function = self.functions.get(name)
                if function is None:
                    raise UnresolvableError(f"{name}() is known only at deployment")
                if name == "resourceid" and self._names is not None:
                    with self._names():
                        values = [self.evaluate(a) for a in args]
                else:
                    values = [self.evaluate(a) for a in args]
                if name not in STRUCTURAL and any(_has_unresolved(v) for v in values):
                    raise UnresolvableError(f"{name}() of a value known only at deployment")
                try:
                    result = function(values)
                except (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, AttributeError) as exc:
                    raise UnresolvableError(f"{name}(): {exc}") from None
                return _bounded(result)
        raise UnresolvableError("unknown syntax")

    def _logical(self, name: str, args: Sequence[Node]) -> bool:
        # One decisive operand settles it, even if another is unresolvable.
        decisive = name == "or"
        unresolved = False
        for arg in args:
            try:
                value = self.evaluate(arg)
            except UnresolvableError:
                unresolved = True
                continue
            if not isinstance(value, bool):
                raise UnresolvableError(f"{name}() takes booleans")
            if value is decisive:
                return decisive
        if unresolved:
            raise UnresolvableError(f"{name}() operand unresolvable")
        return not decisive


# Functions that only assemble values: a part known only at deployment stays
# an unresolved part of the result instead of making all of it unresolved.
STRUCTURAL = frozenset({"createarray", "createobject", "union", "array", "parameters", "variables"})


def _has_unresolved(value: Any) -> bool:
    if isinstance(value, Unresolved):
        return True
    if isinstance(value, list):
        return any(_has_unresolved(v) for v in value)
    if isinstance(value, Mapping):
        return any(_has_unresolved(v) for v in value.values())
    return False


def _member(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and key.lower() == name.lower():
                return item
        raise UnresolvableError(f"no property {name!r}")
    raise UnresolvableError(f"'.{name}' on a non-object")


def _index(value: Any, index: Any) -> Any:
    if isinstance(value, list) and isinstance(index, int) and not isinstance(index, bool):
        if not 0 <= index < len(value):
            raise UnresolvableError(f"index {index} out of range")
        return value[index]
    if isinstance(value, Mapping) and isinstance(index, str):
        return _member(value, index)
    raise UnresolvableError("bad index")


def _bounded(value: Any) -> Any:
    if isinstance(value, list | str) and len(value) > (MAX_ITEMS * 100 if isinstance(value, list) else MAX_STRING):
        raise UnresolvableError("value too large")
    return value


# --- pure functions -------------------------------------------------------------


def _arg(args: list[Any], index: int, kind: type | tuple[type, ...]) -> Any:
    value = args[index]
    if isinstance(value, bool) and kind in (int, (int,)):
        raise TypeError("a boolean is not an integer")
    if not isinstance(value, kind):
        raise TypeError(f"argument {index + 1} has the wrong type")
    return value


def _equals(args: list[Any]) -> bool:
    a, b = args
    # Bicep's == compiles to equals(), and is case-sensitive for strings.
    return bool(type(a) is type(b) and a == b)


def _compare(op: Callable[[Any, Any], bool]) -> Function:
    def compare(args: list[Any]) -> bool:
        a, b = args
        if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) and not isinstance(b, bool):
            return op(a, b)
        if isinstance(a, str) and isinstance(b, str):
            return op(a, b)
        raise TypeError("compares two integers or two strings")

    return compare


def _concat(args: list[Any]) -> Any:
    if args and all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    if all(isinstance(a, str | int) and not isinstance(a, bool) for a in args):
        return "".join(str(a) for a in args)
    raise TypeError("concat takes strings or arrays")


def _format(args: list[Any]) -> str:
    template = _arg(args, 0, str)
    values = args[1:]

    def sub(match: re.Match[str]) -> str:
        value = values[int(match.group(1))]
        if isinstance(value, bool):
            return str(value)
        if not isinstance(value, str | int):
            raise TypeError("format takes strings and integers")
        return str(value)

    return re.sub(r"\{(\d+)(?::[^}]*)?\}", sub, template)


def _union(args: list[Any]) -> Any:
    if all(isinstance(a, Mapping) for a in args):
        out: dict[str, Any] = {}
        for a in args:
            out.update(a)
        return out
    if all(isinstance(a, list) for a in args):
        merged: list[Any] = []
        for a in args:
            merged.extend(item for item in a if item not in merged)
        return merged
    raise TypeError("union takes all objects or all arrays")


def _intersection(args: list[Any]) -> Any:
    if all(isinstance(a, Mapping) for a in args):
        first = args[0]
        return {k: v for k, v in first.items() if all(k in a and a[k] == v for a in args[1:])}
    if all(isinstance(a, list) for a in args):
        return [item for item in args[0] if all(item in a for a in args[1:])]
    raise TypeError("intersection takes all objects or all arrays")


def _contains(args: list[Any]) -> bool:
    container, item = args
    if isinstance(container, str):
        return _arg(args, 1, str) in container
    if isinstance(container, list):
        return item in container
    if isinstance(container, Mapping):
        return isinstance(item, str) and any(k.lower() == item.lower() for k in container)
    raise TypeError("contains takes a string, array or object")


def _empty(args: list[Any]) -> bool:
    value = args[0]
    if value is None:
        return True
    if isinstance(value, str | list | Mapping):
        return len(value) == 0
    raise TypeError("empty takes a string, array or object")


def _length(args: list[Any]) -> int:
    value = args[0]
    if isinstance(value, str | list | Mapping):
        return len(value)
    raise TypeError("length takes a string, array or object")


def _first(args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, str | list):
        return value[0] if value else None
    raise TypeError("first takes a string or array")


def _last(args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, str | list):
        return value[-1] if value else None
    raise TypeError("last takes a string or array")


def _take_skip(take: bool) -> Function:
    def fn(args: list[Any]) -> Any:
        value, count = args[0], max(0, _arg(args, 1, int))
        if not isinstance(value, str | list):
            raise TypeError("takes a string or array")
        return value[:count] if take else value[count:]

    return fn


def _range(args: list[Any]) -> list[int]:
    start, count = _arg(args, 0, int), _arg(args, 1, int)
    if not 0 <= count <= MAX_ITEMS * 10:
        raise ValueError("range count out of bounds")
    return list(range(start, start + count))


def _create_object(args: list[Any]) -> dict[str, Any]:
    if len(args) % 2:
        raise ValueError("createObject takes key/value pairs")
    return {_arg(args, i, str): args[i + 1] for i in range(0, len(args), 2)}


def _json(args: list[Any]) -> Any:
    return json.loads(_arg(args, 0, str))


def _bool(args: list[Any]) -> bool:
    value = args[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, int):
        return value != 0
    raise TypeError("bool takes a boolean, 'true'/'false' or an integer")


def _string(args: list[Any]) -> str:
    value = args[0]
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


PURE_FUNCTIONS: dict[str, Function] = {
    "equals": _equals,
    "not": lambda a: not _arg(a, 0, bool),
    "greater": _compare(lambda x, y: x > y),
    "greaterorequals": _compare(lambda x, y: x >= y),
    "less": _compare(lambda x, y: x < y),
    "lessorequals": _compare(lambda x, y: x <= y),
    "true": lambda a: True,
    "false": lambda a: False,
    "null": lambda a: None,
    "concat": _concat,
    "format": _format,
    "tolower": lambda a: _arg(a, 0, str).lower(),
    "toupper": lambda a: _arg(a, 0, str).upper(),
    "trim": lambda a: _arg(a, 0, str).strip(),
    "replace": lambda a: _arg(a, 0, str).replace(_arg(a, 1, str), _arg(a, 2, str)),
    "substring": lambda a: _arg(a, 0, str)[_arg(a, 1, int) : _arg(a, 1, int) + (a[2] if len(a) > 2 else MAX_STRING)],
    "startswith": lambda a: _arg(a, 0, str).lower().startswith(_arg(a, 1, str).lower()),
    "endswith": lambda a: _arg(a, 0, str).lower().endswith(_arg(a, 1, str).lower()),
    "indexof": lambda a: _arg(a, 0, str).lower().find(_arg(a, 1, str).lower()),
    "split": lambda a: _arg(a, 0, str).split(_arg(a, 1, str)),
    "join": lambda a: _arg(a, 1, str).join(_string([x]) for x in _arg(a, 0, list)),
    "string": _string,
    "int": lambda a: int(_arg(a, 0, (str, int))),
    "bool": _bool,
    "json": _json,
    "createarray": lambda a: list(a),
    "array": lambda a: a[0] if isinstance(a[0], list) else [a[0]],
    "createobject": _create_object,
    "union": _union,
    "intersection": _intersection,
    "contains": _contains,
    "empty": _empty,
    "length": _length,
    "first": _first,
    "last": _last,
    "take": _take_skip(take=True),
    "skip": _take_skip(take=False),
    "range": _range,
    "min": lambda a: min(a[0] if len(a) == 1 and isinstance(a[0], list) else a),
    "max": lambda a: max(a[0] if len(a) == 1 and isinstance(a[0], list) else a),
    "add": lambda a: _arg(a, 0, int) + _arg(a, 1, int),
    "sub": lambda a: _arg(a, 0, int) - _arg(a, 1, int),
    "mul": lambda a: _arg(a, 0, int) * _arg(a, 1, int),
    # Integer division and remainder truncate toward zero, as in .NET.
    "div": lambda a: int(_arg(a, 0, int) / _arg(a, 1, int)),
    "mod": lambda a: int(math.fmod(_arg(a, 0, int), _arg(a, 1, int))),
}

"""Reading the small documents a user writes by hand (waivers, attestations,
organization policy): parse, validate against the packaged JSON Schema, and
turn the first problem into one line that names the file and the entry."""

from __future__ import annotations

import datetime
import functools
import json
import tomllib
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from hipaa_scan.errors import InputError


@functools.cache
def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(resources.files("hipaa_scan.schemas").joinpath(name).read_text("utf-8"))
    return loaded


def read_bytes(path: Path) -> bytes:
    """The file, read once: parsed from these bytes and hashed from them."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file ({exc.strerror or exc})") from None


def _text(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(source, "not UTF-8 text") from None


def read_yaml(path: Path) -> Any:
    return parse_yaml(read_bytes(path), str(path))


def parse_yaml(raw: bytes, source: str) -> Any:
    """The document, with YAML's dates (an unquoted 2026-03-01) as ISO text,
    so a schema can say "a date" once whichever way the user wrote it."""
    try:
        return _dates_as_text(yaml.safe_load(_text(raw, source)))
    except yaml.YAMLError as exc:
        raise InputError(source, f"not valid YAML ({str(exc).splitlines()[0]})") from None


def _dates_as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def parse_toml(raw: bytes, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(_text(raw, source))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, f"not valid TOML ({exc})") from None


def validate(
    document: Any, schema_name: str, source: str, entry_name: Callable[[Any, Sequence[Any]], str] | None = None
) -> None:
    """Raise InputError for the most relevant schema violation, naming where it is
    (``attestations/3``) and, through ``entry_name``, which entry that is."""
    validator = jsonschema.Draft202012Validator(schema(schema_name), format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return
    where = "/".join(str(p) for p in error.absolute_path) or "the file"
    entry = entry_name(document, error.absolute_path) if entry_name else ""
    raise InputError(source, f"{where}{entry}: {error.message}")


def list_entry_name(key: str, *fields: str) -> Callable[[Any, Sequence[Any]], str]:
    """Names entry N of the list under ``key`` by the first of ``fields`` it has."""

    def name(document: Any, path: Sequence[Any]) -> str:
        if len(path) < 2 or path[0] != key:
            return ""
        try:
            entry = document[key][path[1]]
        except (KeyError, IndexError, TypeError):
            return ""
        if not isinstance(entry, dict):
            return ""
        return next((f" ({entry[f]})" for f in fields if isinstance(entry.get(f), str)), "")

    return name

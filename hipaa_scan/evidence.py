"""Verifiable evidence: the manifest of a scan's inputs and outputs, and its check.

A scan leaves ``hipaa-scan-manifest.json`` beside its reports: how it was run
(input paths, options, the clock), the SHA-256 and size of every file it read
and of every report it wrote. ``verify`` re-hashes them and, given a way to
re-run the scan, shows that the same inputs and clock give the same report
bytes. The manifest proves integrity against accidents and against anyone who
cannot rewrite it too; for tamper evidence against the report's author, sign
it or keep it in WORM storage (see SECURITY.md).

Library code: nothing here prints or exits. A manifest that cannot be read or
is not one this version understands is an ``InputError`` naming the file;
everything found while checking is in the returned ``Verification``.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import hashlib
import io
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any

import orjson

from hipaa_scan.errors import HipaaScanError, InputError, OutputError

MANIFEST_NAME = "hipaa-scan-manifest.json"
MANIFEST_KIND = "hipaa-scan-manifest"
MANIFEST_SCHEMA_VERSION = 1
# What each input was to the scan. The order of inputs is kept (it is the scan's order).
ROLES = ("input", "parameters", "baseline", "waivers", "attestations", "policy", "rules")
# Files in an output directory whose names only hipaa-scan writes: one the
# manifest does not name was not produced by the scan it describes.
OWNED_PREFIX = "hipaa-scan-"
# Report formats a rescan reproduces byte for byte (same inputs, same clock).
REPRODUCIBLE_SUFFIXES = (".json", ".html", ".sarif", ".junit.xml", ".md", ".csv")
NOT_REPRODUCIBLE = {".pdf": "PDF bytes depend on the Chromium build that printed it (its dates are the scan's)"}
CHUNK_BYTES = 1 << 20
MAX_MANIFEST_BYTES = 64 * 1024**2
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

Rescan = Callable[[Mapping[str, Any], Path], None]


class FileStatus(enum.StrEnum):
    OK = "ok"
    MODIFIED = "modified"
    MISSING = "missing"
    UNREADABLE = "unreadable"  # there, but not a regular file or not readable
    UNEXPECTED = "unexpected"  # a hipaa-scan file the manifest does not name


class RescanStatus(enum.StrEnum):
    IDENTICAL = "identical"
    DIFFERENT = "different"
    MISSING = "missing"  # the rescan did not write it
    NOT_COMPARED = "not compared"


@dataclass(frozen=True)
class FileCheck:
    """One file the manifest names (or, unexpected, does not name)."""

    name: str  # an output's name in the directory, an input's path as recorded
    role: str  # "output", the input's role, or "file" (an unexpected one)
    status: FileStatus
    path: Path | None  # the file read; None when none was found
    expected_sha256: str | None = None
    actual_sha256: str | None = None  # None when not read to the end (missing, or the size already differs)
    expected_bytes: int | None = None
    actual_bytes: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is FileStatus.OK

    def describe(self) -> str:
        line = f"{self.status.value}: {self.role} {self.name}"
        return f"{line} ({self.detail})" if self.detail else line


@dataclass(frozen=True)
class RescanCheck:
    """One output of the manifest against what a rescan wrote."""

    name: str
    status: RescanStatus
    expected_sha256: str
    actual_sha256: str | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status in (RescanStatus.IDENTICAL, RescanStatus.NOT_COMPARED)

    def describe(self) -> str:
        line = f"rescan {self.status.value}: {self.name}"
        return f"{line} ({self.reason})" if self.reason else line


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found. ``rescan`` is None when no rescan was asked for,
    or when it could not run (``rescan_skipped`` says why)."""

    manifest: Path
    tool_version: str
    created_at: str
    invocation: Mapping[str, Any]
    outputs: tuple[FileCheck, ...]
    inputs: tuple[FileCheck, ...]
    inputs_checked: bool
    unexpected: tuple[FileCheck, ...]
    rescan: tuple[RescanCheck, ...] | None = None
    rescan_skipped: str | None = None

    @property
    def ok(self) -> bool:
        """Every output and (if checked) input as recorded, no unexpected
        report, and (if asked for) a rescan that gave the same bytes."""
        return not self.problems and self.rescan_skipped is None

    @property
    def problems(self) -> tuple[FileCheck | RescanCheck, ...]:
        files = (c for c in (*self.outputs, *self.inputs, *self.unexpected) if not c.ok)
        rescans = (c for c in self.rescan or () if not c.ok)
        return (*files, *rescans)

    def describe(self) -> list[str]:
        """One line per file checked, then the verdict: for the CLI to print."""
        checks: list[FileCheck | RescanCheck] = [*self.outputs, *self.inputs, *self.unexpected, *(self.rescan or ())]
        lines = [c.describe() for c in checks]
        if self.rescan_skipped:
            lines.append(f"rescan not run: {self.rescan_skipped}")
        if not self.inputs_checked:
            lines.append("inputs not checked")
        if self.ok:
            verdict = "verified"
        else:
            count = len(self.problems)
            verdict = f"NOT verified: {count} problem{'s' if count != 1 else ''}" if count else "NOT verified"
        lines.append(f"{verdict} ({self.manifest}, written by hipaa-scan {self.tool_version} at {self.created_at})")
        return lines


# -- writing -------------------------------------------------------------------


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a regular file, read in chunks so a 500 MB
    report never sits in memory. Raises OSError, for something that is not a
    regular file too (a FIFO or device would never end)."""
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    with _open_regular(path) as handle:
        while read := handle.readinto(view):
            digest.update(view[:read])
            size += read
    return digest.hexdigest(), size


def input_entry(path: str | Path, role: str) -> dict[str, Any]:
    """A manifest input for a file the scan read, hashed now (for files whose
    digest the scan did not record itself: waivers, a baseline, custom rules)."""
    source = str(path)
    try:
        sha256, size = sha256_file(Path(path))
    except OSError as exc:
        raise InputError(source, f"cannot read file ({exc.strerror or exc})") from None
    return {"path": source, "role": role, "sha256": sha256, "bytes": size}


def build_manifest(
    *,
    tool_version: str,
    created_at: str,
    inputs: Sequence[Mapping[str, Any]],
    outputs: Sequence[Path],
    invocation: Mapping[str, Any],
    directory: Path | None = None,
) -> bytes:
    """The evidence manifest's bytes: the same arguments and files give the same bytes.

    ``inputs``: each ``{"path", "role", "sha256", "bytes"}`` in the order the
    scan read them. ``outputs``: the files written, hashed now as they are on
    disk and named relative to ``directory`` (default: the first output's
    folder). ``invocation``: what re-runs the scan, with at least ``command``,
    ``cwd`` (absolute), ``now`` (the clock, RFC 3339), ``inputs`` (as given)
    and ``options``; its keys are sorted. Paths in it may be ``Path`` objects.
    A malformed argument is a programming error: ValueError.
    """
    if not outputs:
        raise ValueError("a manifest names at least one output")
    base = directory if directory is not None else outputs[0].parent
    document = {
        "kind": MANIFEST_KIND,
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "tool": {"name": "hipaa-scan", "version": tool_version},
        "created_at": created_at,
        "invocation": _canonical(invocation),
        "inputs": [
            {"path": str(i.get("path")), "role": i.get("role"), "sha256": i.get("sha256"), "bytes": i.get("bytes")}
            for i in inputs
        ],
        "outputs": sorted((_output_entry(path, base) for path in outputs), key=lambda o: str(o["name"])),
    }
    problem = manifest_problem(document)
    if problem is not None:
        raise ValueError(f"evidence manifest: {problem}")
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def write_manifest(
    directory: Path,
    *,
    tool_version: str,
    created_at: str,
    inputs: Sequence[Mapping[str, Any]],
    outputs: Sequence[Path],
    invocation: Mapping[str, Any],
) -> Path:
    """Write ``directory/hipaa-scan-manifest.json`` atomically, once the
    outputs are complete on disk (they are hashed as they are there)."""
    # Imported here: verifying needs none of the report machinery.
    from hipaa_scan.reporting.write import write_all_atomically

    data = build_manifest(
        tool_version=tool_version,
        created_at=created_at,
        inputs=inputs,
        outputs=outputs,
        invocation=invocation,
        directory=directory,
    )
    target = directory / MANIFEST_NAME
    write_all_atomically({target: data})
    return target


def _canonical(invocation: Mapping[str, Any]) -> Any:
    """The invocation as plain JSON with sorted keys (its order carries no meaning)."""
    return orjson.loads(orjson.dumps(invocation, default=_plain, option=orjson.OPT_SORT_KEYS))


def _plain(value: object) -> str:
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _output_entry(path: Path, base: Path) -> dict[str, Any]:
    try:
        relative = path.relative_to(base)
    except ValueError:
        try:
            relative = path.resolve().relative_to(base.resolve())
        except ValueError:
            raise ValueError(f"output {path} is not inside {base}") from None
    try:
        sha256, size = sha256_file(path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot read the report back to hash it ({exc.strerror or exc})") from None
    return {"name": relative.as_posix(), "sha256": sha256, "bytes": size}


# -- reading -------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """The parsed manifest, or an InputError naming the file: missing, too
    large, not JSON, not a manifest, an unknown schema version, or a field
    out of shape."""
    source = str(path)
    try:
        with _open_regular(path) as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        raise InputError(source, "missing: no evidence manifest here (a scan writes one beside its reports)") from None
    except OSError as exc:
        raise InputError(source, f"cannot read file ({exc.strerror or exc})") from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise InputError(source, f"larger than {MAX_MANIFEST_BYTES} bytes: not an evidence manifest")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(source, f"not valid JSON: {exc}") from None
    problem = manifest_problem(document)
    if problem is not None:
        raise InputError(source, problem)
    return dict(document)


def manifest_problem(document: Any) -> str | None:
    """What is wrong with a parsed manifest (the first thing found), or None.
    The same rules as hipaa_scan/schemas/evidence-manifest.schema.json, by
    hand, so that reading one needs no schema library."""
    if not isinstance(document, dict):
        return "not an evidence manifest (expected a JSON object)"
    if document.get("kind") != MANIFEST_KIND:
        return f"not an evidence manifest (kind is {document.get('kind')!r}, expected {MANIFEST_KIND!r})"
    version = document.get("schema_version")
    if version != MANIFEST_SCHEMA_VERSION or isinstance(version, bool):
        return f"unknown schema_version {version!r} (this hipaa-scan reads {MANIFEST_SCHEMA_VERSION})"
    tool = document.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "hipaa-scan" or not isinstance(tool.get("version"), str):
        return "tool: expected the name hipaa-scan and a version"
    if not _is_time(document.get("created_at")):
        return "created_at: expected an RFC 3339 time"
    problem = _invocation_problem(document.get("invocation"))
    if problem:
        return problem
    inputs = document.get("inputs")
    if not isinstance(inputs, list):
        return "inputs: expected an array"
    for n, entry in enumerate(inputs):
        if problem := _entry_problem(entry, f"inputs[{n}]", "path"):
            return problem
        if entry["role"] not in ROLES:
            return f"inputs[{n}].role: {entry['role']!r} is not one of {', '.join(ROLES)}"
    outputs = document.get("outputs")
    if not isinstance(outputs, list) or not outputs:
        return "outputs: expected an array naming at least one file"
    names: set[str] = set()
    for n, entry in enumerate(outputs):
        if problem := _entry_problem(entry, f"outputs[{n}]", "name"):
            return problem
        if not _safe_name(entry["name"]):
            return f"outputs[{n}].name: {entry['name']!r} is not a file name inside the directory"
        if entry["name"] in names:
            return f"outputs[{n}].name: {entry['name']!r} is named twice"
        names.add(entry["name"])
    return None


def _invocation_problem(invocation: Any) -> str | None:
    if not isinstance(invocation, dict):
        return "invocation: expected an object"
    if not isinstance(invocation.get("command"), str):
        return "invocation.command: expected a string"
    cwd = invocation.get("cwd")
    # Absolute on the machine that scanned, which may not be this one.
    if not isinstance(cwd, str) or not (PurePosixPath(cwd).is_absolute() or PureWindowsPath(cwd).is_absolute()):
        return "invocation.cwd: expected an absolute path"
    if not _is_time(invocation.get("now")):
        return "invocation.now: expected an RFC 3339 time"
    given = invocation.get("inputs")
    if not isinstance(given, list) or not all(isinstance(p, str) for p in given):
        return "invocation.inputs: expected an array of paths"
    if not isinstance(invocation.get("options"), dict):
        return "invocation.options: expected an object"
    return None


def _entry_problem(entry: Any, where: str, key: str) -> str | None:
    if not isinstance(entry, dict):
        return f"{where}: expected an object"
    if not isinstance(entry.get(key), str) or not entry[key]:
        return f"{where}.{key}: expected a non-empty string"
    if key == "path" and not isinstance(entry.get("role"), str):
        return f"{where}.role: expected a string"
    if not isinstance(entry.get("sha256"), str) or not _SHA256.match(entry["sha256"]):
        return f"{where}.sha256: expected 64 lower-case hex digits"
    size = entry.get("bytes")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"{where}.bytes: expected a size in bytes"
    return None


def _is_time(value: Any) -> bool:
    return isinstance(value, str) and _TIME.match(value) is not None


def _safe_name(name: str) -> bool:
    """A relative path inside the directory: a hostile manifest cannot make
    verify read (or report on) files elsewhere through its output names."""
    if "\\" in name or "\0" in name or ":" in name:
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts)


# -- verifying -----------------------------------------------------------------


def verify(directory: Path, *, check_inputs: bool = True, rescan: Rescan | None = None) -> Verification:
    """Check a report directory against its manifest (``directory`` may also
    be the manifest file itself).

    Every output is re-hashed (ok / modified / missing / unreadable), every
    input too unless ``check_inputs`` is false, and any ``hipaa-scan-*`` file
    the manifest does not name is unexpected. An input's relative path is
    looked for under the manifest's recorded working directory, then as given
    (relative to the current one).

    ``rescan(invocation, tmpdir)`` re-runs the scan writing into ``tmpdir``
    (the caller supplies it: this module knows nothing of scanning). It is
    called with the working directory set to where the inputs were found, so
    the reports name them exactly as the original did; then each reproducible
    report is compared byte for byte, by SHA-256, with what the manifest
    recorded. It is not called when an input is missing or modified (the
    rescan would not scan what the manifest names), and a HipaaScanError it
    raises is recorded in ``rescan_skipped``.
    """
    manifest_path = directory if directory.is_file() else directory / MANIFEST_NAME
    folder = manifest_path.parent
    manifest = read_manifest(manifest_path)
    invocation: dict[str, Any] = manifest["invocation"]
    outputs = tuple(
        _check_file(folder / entry["name"], entry["name"], "output", entry) for entry in manifest["outputs"]
    )
    inputs: tuple[FileCheck, ...] = ()
    base = Path(invocation["cwd"])
    if check_inputs:
        found = [(entry, resolve_input(entry["path"], invocation["cwd"])) for entry in manifest["inputs"]]
        inputs = tuple(_check_input(entry, path, invocation["cwd"]) for entry, path in found)
        # A relative input found as given, not under the recorded directory: the rescan runs from here.
        relative = [(Path(entry["path"]), path) for entry, path in found if not Path(entry["path"]).is_absolute()]
        if any(path is not None and path != base / given for given, path in relative):
            base = Path.cwd()
    named = {entry["name"] for entry in manifest["outputs"]}
    unexpected = tuple(
        FileCheck(
            name, "file", FileStatus.UNEXPECTED, folder / name, detail="a hipaa-scan file the manifest does not name"
        )
        for name in _owned_files(folder)
        if name not in named
    )
    checks: tuple[RescanCheck, ...] | None = None
    skipped: str | None = None
    if rescan is not None:
        if not all(c.ok for c in inputs):
            skipped = "an input is missing or modified, so a rescan would not scan what the manifest names"
        else:
            try:
                checks = _rescan(manifest, rescan, base if base.is_dir() else Path.cwd(), folder)
            except HipaaScanError as exc:
                skipped = f"the rescan failed: {exc}"
    return Verification(
        manifest=manifest_path,
        tool_version=manifest["tool"]["version"],
        created_at=manifest["created_at"],
        invocation=invocation,
        outputs=outputs,
        inputs=inputs,
        inputs_checked=check_inputs,
        unexpected=unexpected,
        rescan=checks,
        rescan_skipped=skipped,
    )


def resolve_input(recorded: str, cwd: str | None) -> Path | None:
    """Where a recorded input is now: an absolute path as it is; a relative
    one under the manifest's working directory ``cwd``, else as given
    (relative to the current directory). None when neither exists."""
    path = Path(recorded)
    candidates = [path] if path.is_absolute() or not cwd else [Path(cwd) / path, path]
    return next((c for c in candidates if c.exists()), None)


def _check_input(entry: Mapping[str, Any], path: Path | None, cwd: str) -> FileCheck:
    if path is None:
        where = entry["path"] if Path(entry["path"]).is_absolute() else f"{Path(cwd) / entry['path']}, or as given"
        return FileCheck(
            entry["path"],
            entry["role"],
            FileStatus.MISSING,
            None,
            entry["sha256"],
            expected_bytes=entry["bytes"],
            detail=f"not found: {where}",
        )
    return _check_file(path, entry["path"], entry["role"], entry)


def _check_file(path: Path, name: str, role: str, entry: Mapping[str, Any]) -> FileCheck:
    expected_sha256, expected_bytes = entry["sha256"], entry["bytes"]

    def result(status: FileStatus, sha256: str | None = None, size: int | None = None, detail: str = "") -> FileCheck:
        return FileCheck(name, role, status, path, expected_sha256, sha256, expected_bytes, size, detail)

    try:
        with _open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size != expected_bytes:
                return result(FileStatus.MODIFIED, None, size, f"{size} bytes, the manifest says {expected_bytes}")
        sha256, size = sha256_file(path)
    except FileNotFoundError:
        return result(FileStatus.MISSING, detail="not found")
    except OSError as exc:
        return result(FileStatus.UNREADABLE, detail=str(exc.strerror or exc))
    if sha256 != expected_sha256 or size != expected_bytes:
        return result(FileStatus.MODIFIED, sha256, size, f"SHA-256 {sha256}, the manifest says {expected_sha256}")
    return result(FileStatus.OK, sha256, size)


def _owned_files(folder: Path) -> list[str]:
    """The hipaa-scan files in the directory (not the manifest, nor a
    signature beside it such as hipaa-scan-manifest.json.sig)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [
        e.name
        for e in entries
        if e.name.startswith(OWNED_PREFIX) and not e.name.startswith(MANIFEST_NAME) and not e.is_dir()
    ]


def _rescan(manifest: Mapping[str, Any], rescan: Rescan, base: Path, folder: Path) -> tuple[RescanCheck, ...]:
    invocation = manifest["invocation"]
    input_paths = {_resolved(resolve_input(i["path"], invocation["cwd"])) for i in manifest["inputs"]}
    with tempfile.TemporaryDirectory(prefix="hipaa-scan-rescan-") as tmp, contextlib.chdir(base):
        out = Path(tmp).resolve()
        rescan(invocation, out)
        return tuple(_compare(entry, out, folder, input_paths) for entry in manifest["outputs"])


def _compare(entry: Mapping[str, Any], out: Path, folder: Path, input_paths: set[Path | None]) -> RescanCheck:
    name, expected = entry["name"], entry["sha256"]
    lowered = name.lower()
    for suffix, reason in NOT_REPRODUCIBLE.items():
        if lowered.endswith(suffix):
            return RescanCheck(name, RescanStatus.NOT_COMPARED, expected, reason=reason)
    if _resolved(folder / name) in input_paths:
        return RescanCheck(name, RescanStatus.NOT_COMPARED, expected, reason="an input of the scan, checked above")
    if not lowered.endswith(REPRODUCIBLE_SUFFIXES):
        return RescanCheck(name, RescanStatus.NOT_COMPARED, expected, reason="not a report format a rescan writes")
    try:
        actual, _ = sha256_file(out / name)
    except FileNotFoundError:
        return RescanCheck(name, RescanStatus.MISSING, expected, reason="the rescan did not write it")
    status = RescanStatus.IDENTICAL if actual == expected else RescanStatus.DIFFERENT
    return RescanCheck(name, status, expected, actual, "" if actual == expected else f"SHA-256 {actual}")


def _resolved(path: Path | None) -> Path | None:
    return None if path is None else path.resolve()


@contextlib.contextmanager
def _open_regular(path: Path) -> Iterator[io.BufferedReader]:
    """Open a file for reading only if it is a regular file: reading a FIFO
    or a device a hostile manifest names would block or never end."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle

"""Load and validate the rule pack, and any custom rule packs beside it.

Rule modules are discovered by walking a rule-pack directory and loaded from
their files under a private package name (one per directory and content), so
a third-party package called ``rules``, or two packs with a module of the same
name, can never shadow each other. Every problem (duplicate id across packs,
unknown citation, missing metadata, a module that does not import) fails at
start-up in one line naming the file, not mid-scan.

The shipped pack comes first; each directory in ``extra_dirs`` is a custom
pack an organisation writes with the same API (``hipaa_scan.engine``) and
passes with ``--rules-dir``. Custom packs are validated exactly as the
shipped one is, and their ids may not collide with any other rule.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from hipaa_scan.controls import Catalogue, load_catalogue
from hipaa_scan.engine.rule import RULE_ID, Rule
from hipaa_scan.errors import RulePackError
from hipaa_scan.model import RuleId

PACKAGE = "hipaa_scan_rulepack"
# The version of a custom pack whose __init__.py (if any) sets no RULE_PACK_VERSION.
UNVERSIONED = "unversioned"


@dataclass(frozen=True)
class CustomPack:
    """A custom rule pack loaded from ``--rules-dir``, as reports name it."""

    directory: Path  # as the caller gave it
    version: str
    sha256: str  # of this pack's files alone
    rule_ids: tuple[RuleId, ...]


@dataclass(frozen=True)
class RulePack:
    """The rules of a scan: the shipped pack's, then every custom pack's, in id order.

    ``version``, ``directory`` and ``shipped_sha256`` describe the shipped
    pack. ``sha256`` covers every loaded pack: with no custom pack it is the
    shipped pack's own digest, so reports of plain scans do not change, and a
    change to any custom rule file changes it."""

    version: str
    sha256: str
    directory: Path
    rules: tuple[Rule, ...]
    shipped_sha256: str = ""
    custom: tuple[CustomPack, ...] = ()

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def origin(self, rule_id: str) -> CustomPack | None:
        """The custom pack a rule comes from, or None for a shipped rule."""
        return next((c for c in self.custom if rule_id in c.rule_ids), None)


@dataclass(frozen=True)
class _Loaded:
    directory: Path
    label: str
    version: str
    sha256: str
    rules: tuple[tuple[Rule, Path], ...]


def default_rules_dir() -> Path:
    """Rules ship inside the wheel as ``hipaa_scan/_rulepack``; in a source
    checkout they live in the top-level ``rules/`` folder."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_rulepack", here.parent / "rules"):
        if (candidate / "__init__.py").is_file():
            return candidate
    raise RulePackError("rule pack not found (expected hipaa_scan/_rulepack or ./rules)")


def load_rule_pack(
    directory: Path | None = None,
    catalogue: Catalogue | None = None,
    *,
    extra_dirs: Sequence[Path] = (),
) -> RulePack:
    """The rule pack in ``directory`` (default: the shipped one), then the
    custom packs in ``extra_dirs``, validated together against ``catalogue``."""
    root = directory or default_rules_dir()
    catalogue = catalogue or load_catalogue()
    shipped = _load_tree(root, label="shipped rule pack", custom=False)
    loaded = {root.resolve(): f"the shipped rule pack ({root})"}
    extras: list[_Loaded] = []
    for given in extra_dirs:
        extra = Path(given)
        _check_custom_dir(extra, loaded)
        loaded[extra.resolve()] = f"custom rule directory {extra}"
        extras.append(_load_tree(extra, label=f"custom rule pack {extra}", custom=True))
    _validate([shipped, *extras], catalogue)
    rules = sorted((r for pack in (shipped, *extras) for r, _ in pack.rules), key=lambda r: _sort_key(r.id))
    custom = tuple(
        CustomPack(
            directory=pack.directory,
            version=pack.version,
            sha256=pack.sha256,
            rule_ids=tuple(sorted((r.id for r, _ in pack.rules), key=_sort_key)),
        )
        for pack in extras
    )
    return RulePack(
        version=shipped.version,
        sha256=_combined_sha256(shipped.sha256, custom),
        directory=root,
        rules=tuple(rules),
        shipped_sha256=shipped.sha256,
        custom=custom,
    )


def _check_custom_dir(extra: Path, loaded: dict[Path, str]) -> None:
    if not extra.is_dir():
        problem = "does not exist" if not extra.exists() else "is not a directory"
        raise RulePackError(f"{extra}: custom rule directory {problem}")
    resolved = extra.resolve()
    for other, what in loaded.items():
        # Overlapping trees would load the same modules twice (or a whole checkout as rules).
        if resolved == other or resolved.is_relative_to(other) or other.is_relative_to(resolved):
            raise RulePackError(f"{extra}: custom rule directory overlaps {what}")


def _combined_sha256(shipped: str, custom: Sequence[CustomPack]) -> str:
    # Content only (no paths), so the same packs give the same digest on any machine.
    if not custom:
        return shipped
    digest = hashlib.sha256(b"hipaa-scan rule packs\0" + shipped.encode())
    for pack in custom:
        digest.update(b"\0" + pack.sha256.encode())
    return digest.hexdigest()


def _load_tree(root: Path, *, label: str, custom: bool) -> _Loaded:
    """Every rule module under ``root``: one rule per module, ``__init__.py``
    files excluded (only the top one is read, for RULE_PACK_VERSION)."""
    # Hidden folders (a .venv, .git) and caches hold no rules.
    files = sorted(
        p
        for p in root.rglob("*.py")
        if not any(part == "__pycache__" or part.startswith(".") for part in p.relative_to(root).parts)
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    sha256 = digest.hexdigest()
    # One private package name per directory and content, so two packs never
    # share modules and an edited pack is never served from an earlier import.
    key = hashlib.sha256(str(root.resolve()).encode() + b"\0" + sha256.encode()).hexdigest()
    package = f"{PACKAGE}_{key[:12]}"
    init_file = root / "__init__.py"
    version: object = UNVERSIONED if custom else None
    if init_file.is_file() or not custom:
        init = _load_module(init_file, package, root)
        version = getattr(init, "RULE_PACK_VERSION", version)
    if not isinstance(version, str) or not version.strip():
        raise RulePackError(f"{init_file}: RULE_PACK_VERSION must be a non-empty string")
    rules: list[tuple[Rule, Path]] = []
    for path in files:
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(root).with_suffix("")
        if not all(part.isidentifier() for part in rel.parts):
            raise RulePackError(
                f"{path}: folder and file names of rule modules must be Python identifiers (letters, digits, _)"
            )
        module = _load_module(path, f"{package}." + ".".join(rel.parts), root)
        found = [v for v in vars(module).values() if isinstance(v, Rule)]
        if len(found) != 1:
            raise RulePackError(f"{path}: a rule module defines exactly one rule (found {len(found)})")
        rules.append((replace(found[0], module=rel.as_posix()), path))
    return _Loaded(directory=root, label=label, version=version, sha256=sha256, rules=tuple(rules))


def _sort_key(rule_id: str) -> tuple[str, int]:
    prefix, _, number = rule_id.partition("-")
    return prefix, int(number)


def _load_module(path: Path, name: str, root: Path) -> types.ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    _ensure_packages(name, root)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RulePackError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        # One line, whatever the exception's text: the CLI prints it as the error.
        detail = " ".join(str(exc).split())
        raise RulePackError(f"{path}: failed to import ({type(exc).__name__}: {detail})") from exc
    return module


def _ensure_packages(name: str, root: Path) -> None:
    # Intermediate packages (hipaa_scan_rulepack_<hash>.keyvault) only need to exist.
    parts = name.split(".")
    for depth in range(1, len(parts)):
        pkg = ".".join(parts[:depth])
        if pkg not in sys.modules:
            module = types.ModuleType(pkg)
            module.__path__ = [str(root.joinpath(*parts[1:depth]))]
            sys.modules[pkg] = module


def _validate(packs: Sequence[_Loaded], catalogue: Catalogue) -> None:
    """The same checks for every pack, in load order; ids are unique across all of them."""
    seen: dict[str, tuple[Path, str]] = {}
    for pack in packs:
        for r, path in pack.rules:
            where = f"{path}: rule {r.id}"
            if not RULE_ID.match(r.id):
                raise RulePackError(f"{where}: id must look like 'KV-01' (2 to 5 capitals, a dash, 2 or 3 digits)")
            if r.id in seen:
                other, other_label = seen[r.id]
                raise RulePackError(f"{where}: duplicate id, also defined in {other} ({other_label})")
            seen[r.id] = (path, pack.label)
            if not r.citations:
                raise RulePackError(f"{where}: cites no HIPAA specification")
            for citation in r.citations:
                if citation not in catalogue:
                    raise RulePackError(f"{where}: unknown citation {citation!r}")
            if not r.resource_types or any("/" not in t for t in r.resource_types):
                raise RulePackError(f"{where}: resource_types must be ARM types like 'Microsoft.KeyVault/vaults'")
            if any(not isinstance(t, str) or "/" not in t for t in r.reads):
                raise RulePackError(f"{where}: reads must list ARM types like 'Microsoft.Insights/diagnosticSettings'")
            for text_field in ("title", "rationale", "remediation"):
                if not getattr(r, text_field).strip():
                    raise RulePackError(f"{where}: {text_field} is empty")

"""Load and validate the rule pack.

Rule modules are discovered by walking the rule-pack directory and loaded
from their files under a private package name, so a third-party package
called ``rules`` can never shadow them. Every problem (duplicate id,
unknown citation, missing metadata) fails at start-up, not mid-scan.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import types
from dataclasses import dataclass, replace
from pathlib import Path

from hipaa_scan.controls import Catalogue, load_catalogue
from hipaa_scan.engine.rule import RULE_ID, Rule
from hipaa_scan.errors import RulePackError

PACKAGE = "hipaa_scan_rulepack"


@dataclass(frozen=True)
class RulePack:
    version: str
    sha256: str
    directory: Path
    rules: tuple[Rule, ...]

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def default_rules_dir() -> Path:
    """Rules ship inside the wheel as ``hipaa_scan/_rulepack``; in a source
    checkout they live in the top-level ``rules/`` folder."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_rulepack", here.parent / "rules"):
        if (candidate / "__init__.py").is_file():
            return candidate
    raise RulePackError("rule pack not found (expected hipaa_scan/_rulepack or ./rules)")


def load_rule_pack(directory: Path | None = None, catalogue: Catalogue | None = None) -> RulePack:
    root = directory or default_rules_dir()
    catalogue = catalogue or load_catalogue()
    files = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    # One private package name per pack directory, so two packs never share modules.
    package = f"{PACKAGE}_{hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]}"
    init = _load_module(root / "__init__.py", package, root)
    version = getattr(init, "RULE_PACK_VERSION", None)
    if not isinstance(version, str):
        raise RulePackError(f"{root / '__init__.py'}: RULE_PACK_VERSION string is missing")
    rules: list[Rule] = []
    for path in files:
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(root).with_suffix("")
        module = _load_module(path, f"{package}." + ".".join(rel.parts), root)
        found = [v for v in vars(module).values() if isinstance(v, Rule)]
        if len(found) != 1:
            raise RulePackError(f"{path}: a rule module defines exactly one rule (found {len(found)})")
        rules.append(replace(found[0], module=rel.as_posix()))
    _validate(rules, catalogue)
    rules.sort(key=lambda r: _sort_key(r.id))
    return RulePack(version=version, sha256=digest.hexdigest(), directory=root, rules=tuple(rules))


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
        raise RulePackError(f"{path}: failed to import ({type(exc).__name__}: {exc})") from exc
    return module


def _ensure_packages(name: str, root: Path) -> None:
    # Intermediate packages (hipaa_scan_rulepack.keyvault) only need to exist.
    parts = name.split(".")
    for depth in range(1, len(parts)):
        pkg = ".".join(parts[:depth])
        if pkg not in sys.modules:
            module = types.ModuleType(pkg)
            module.__path__ = [str(root.joinpath(*parts[1:depth]))]
            sys.modules[pkg] = module


def _validate(rules: list[Rule], catalogue: Catalogue) -> None:
    seen: dict[str, str] = {}
    for r in rules:
        where = f"rule {r.id} ({r.module})"
        if not RULE_ID.match(r.id):
            raise RulePackError(f"{where}: id must look like 'KV-01'")
        if r.id in seen:
            raise RulePackError(f"{where}: duplicate id, also defined in {seen[r.id]}")
        seen[r.id] = r.module
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

"""Hostile and malformed inputs: the loader either accepts a document or
raises InputError naming the file; rules never crash on odd-but-valid JSON.

A deterministic mutation fuzzer (fixed seed, stdlib only) rewrites values in
the sample tenant to other JSON types, deletes keys and nests garbage, then
loads and scans each mutant with --debug semantics so a rule that raises
fails the test instead of becoming an `error` finding.
"""

from __future__ import annotations

import copy
import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE

from hipaa_scan.engine import Settings, load_rule_pack, run_rules
from hipaa_scan.errors import InputError
from hipaa_scan.loaders import load_inputs

PACK = load_rule_pack()
NOW = datetime(2026, 11, 23, tzinfo=UTC)
REPLACEMENTS: list[Any] = [
    None,
    "",
    "x",
    "[parameters('p')]",
    0,
    -1,
    1e308,
    True,
    [],
    [None],
    {},
    {"x": [1]},
    "*",
    "0.0.0.0/0",
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((*prefix, i))
            out.extend(_paths(value, (*prefix, i)))
    return out


def _mutable(path: tuple[Any, ...]) -> bool:
    """Inside resources, below what the loader validates (id, type, and the
    properties object itself), so every mutant loads and reaches the rules."""
    if path[:1] != ("resources",) or len(path) < 3 or path[2] in ("id", "type"):
        return False
    return not (path[2] == "properties" and len(path) == 3)


def _mutate(document: Any, rng: random.Random, count: int) -> Any:
    doc = copy.deepcopy(document)
    for _ in range(count):
        paths = [p for p in _paths(doc) if _mutable(p)]
        if not paths:
            break
        path = rng.choice(paths)
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.2:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
    return doc


SOURCES = sorted(SAMPLE.glob("*.json"))


# FUZZ_SEEDS=1500 runs a longer campaign locally; 60 keep `make test` quick.
@pytest.mark.parametrize("seed", range(int(os.environ.get("FUZZ_SEEDS", "60"))))
def test_mutated_snapshots_never_crash_a_rule(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    source = SOURCES[seed % len(SOURCES)]
    mutant = _mutate(json.loads(source.read_text()), rng, count=150)
    path = tmp_path / source.name
    path.write_text(json.dumps(mutant))
    snapshot = load_inputs([str(path)])
    settings = Settings(allowed_locations=frozenset({"eastus"}))
    findings = run_rules(snapshot, PACK.rules, settings=settings, now=NOW, debug=True)
    assert findings


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000,  # nesting far past any parser's recursion limit
        b'{"value": [' + b"1," * 1000 + b"1]}",
        b"\xff\xfe\x00garbage",
        b'{"kind": "hipaa-scan-snapshot", "schema_version": 1, "manifest": {"complete_types": "all"}, "resources": []}',
        b'{"$schema": "deploymentTemplate.json#", "resources": [{"type": "Microsoft.KeyVault/vaults", "name": "[concat('
        + b"concat(" * 5000
        + b"'a'"
        + b")" * 5001
        + b']"}]}',
    ],
)
def test_pathological_documents(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "evil.json"
    path.write_bytes(content)
    try:
        snapshot = load_inputs([str(path)])
    except InputError as exc:
        assert str(exc).startswith(str(path) + ": ")
        return
    run_rules(snapshot, PACK.rules, settings=Settings(), now=NOW, debug=True)

"""Scan history in SQLite: every recorded scan's manifest, scores and
findings, so a team sees the trend and what changed since the last night.

One file, written by any number of scans at once: WAL journaling lets
readers go on while a scan writes, each scan is recorded in one transaction
(``BEGIN IMMEDIATE``, waiting up to a minute for another writer), and a file
written by another version is migrated or refused with one clear line.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from hipaa_scan.errors import HipaaScanError
from hipaa_scan.reporting.view import ReportView

# Where `--history` with no path, `hipaa-scan history` and `hipaa-scan diff` look.
DEFAULT_HISTORY = Path(".hipaa-scan") / "history.db"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 60.0

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scanned_at TEXT NOT NULL,
    scope TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    rule_pack_version TEXT NOT NULL,
    overall REAL,
    failing INTEGER NOT NULL,
    unknown INTEGER NOT NULL,
    manifest TEXT NOT NULL,
    scores TEXT NOT NULL
);
CREATE TABLE findings (
    scan_id INTEGER NOT NULL REFERENCES scans (id),
    rule_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX findings_by_scan ON findings (scan_id);
CREATE INDEX scans_by_scope ON scans (scope, id);
"""


class HistoryError(HipaaScanError):
    """The history file cannot be used: unreadable, another program's, or newer."""


@dataclass(frozen=True)
class ScanRecord:
    id: int
    scanned_at: str
    scope: str
    tool_version: str
    rule_pack_version: str
    overall: float | None
    failing: int
    unknown: int
    scores: Mapping[str, float | None]


def scope_of(manifest: Mapping[str, Any]) -> str:
    """What makes two scans comparable: the tenants and subscriptions they covered."""
    scope = manifest["scope"]
    return ",".join([*sorted(scope["tenants"]), *sorted(scope["subscriptions"])]) or "(no subscription)"


@contextmanager
def open_history(path: Path, *, create: bool) -> Iterator[sqlite3.Connection]:
    """A connection to the history, created (with ``create``) or checked."""
    if not create and not path.is_file():
        raise HistoryError(f"{path}: no scan history here (record one with `hipaa-scan scan --history {path}`)")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"{path}: cannot open the scan history ({exc})") from None
    with closing(connection):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            _check_or_create(connection, path)
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{path}: not a hipaa-scan history ({exc})") from None
        yield connection


def _check_or_create(connection: sqlite3.Connection, path: Path) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            # Statement by statement: executescript would commit this transaction first.
            for statement in filter(str.strip, _SCHEMA.split(";")):
                connection.execute(statement)
            connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif "meta" not in tables or "scans" not in tables:
            raise HistoryError(f"{path}: not a hipaa-scan history (tables: {', '.join(sorted(tables))})")
        else:
            row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row and str(row[0]).isdigit() else 0
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{path}: written by a newer hipaa-scan (history schema {version}; "
                    f"this one reads up to {SCHEMA_VERSION}); upgrade hipaa-scan or use another --history file"
                )
            if version < 1:
                raise HistoryError(f"{path}: history schema {version} is older than any this hipaa-scan can migrate")
            # Schema 1 is the first; a later schema migrates older files here, in this transaction.
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def record(path: Path, view: ReportView) -> int:
    """Record one scan (manifest, scores, findings) in one transaction; its id."""
    manifest = view.manifest
    checklist = view.checklist
    scores = {s["key"]: s["score"] for s in checklist["safeguards"]}
    statuses = [f["status"] for f in view.findings]
    with open_history(path, create=True) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            cursor = db.execute(
                "INSERT INTO scans (scanned_at, scope, tool_version, rule_pack_version, overall, failing, unknown,"
                " manifest, scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    manifest["scanned_at"],
                    scope_of(manifest),
                    manifest["tool"]["version"],
                    manifest["rule_pack"]["version"],
                    checklist["overall"]["score"],
                    statuses.count("fail"),
                    statuses.count("unknown") + statuses.count("error"),
                    orjson.dumps(manifest).decode(),
                    orjson.dumps(scores).decode(),
                ),
            )
            scan_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO findings VALUES (?, ?, ?, ?)",
                ((scan_id, f["rule_id"], f["resource_id"], f["status"]) for f in view.findings),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return scan_id


def scans(path: Path, *, scope: str | None = None) -> list[ScanRecord]:
    """Every recorded scan, oldest first (of one scope when given)."""
    with open_history(path, create=False) as db:
        query = "SELECT id, scanned_at, scope, tool_version, rule_pack_version, overall, failing, unknown, scores"
        query += " FROM scans" + (" WHERE scope = ?" if scope else "") + " ORDER BY id"
        rows = db.execute(query, (scope,) if scope else ()).fetchall()
    return [
        ScanRecord(
            id=row[0],
            scanned_at=row[1],
            scope=row[2],
            tool_version=row[3],
            rule_pack_version=row[4],
            overall=row[5],
            failing=row[6],
            unknown=row[7],
            scores=orjson.loads(row[8]),
        )
        for row in rows
    ]


def previous(path: Path, scope: str, before: int | None = None) -> ScanRecord | None:
    """The latest scan of the same scope (before scan id ``before``), if any."""
    if not path.is_file():
        return None
    earlier = [s for s in scans(path, scope=scope) if before is None or s.id < before]
    return earlier[-1] if earlier else None


def findings_of(path: Path, scan_id: int) -> list[tuple[str, str, str]]:
    """A recorded scan's findings as (rule id, resource id, status)."""
    with open_history(path, create=False) as db:
        if db.execute("SELECT 1 FROM scans WHERE id = ?", (scan_id,)).fetchone() is None:
            raise HistoryError(f"{path}: no scan with id {scan_id} (see `hipaa-scan history`)")
        rows: Sequence[tuple[str, str, str]] = db.execute(
            "SELECT rule_id, resource_id, status FROM findings WHERE scan_id = ? ORDER BY rowid", (scan_id,)
        ).fetchall()
    return list(rows)

"""Scan history in a real SQLite file: trend, diff, the change since the
previous scan in every report, concurrent writers, and files it must refuse."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE, weakened_sample

from hipaa_scan import cli

NOW = "2026-11-21T09:00:00Z"


def _scan(out: Path, db: Path, inputs: Path = SAMPLE, now: str = NOW) -> int:
    args = ["scan", str(inputs), "--out", str(out), "--now", now, "--fail-on", "never", "-q"]
    return cli.main([*args, "--format", "json,html,markdown", "--history", str(db)])


def test_trend_and_the_change_since_the_previous_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "history.db"
    assert _scan(tmp_path / "night1", db) == 0
    first = json.loads((tmp_path / "night1" / "hipaa-scan-report.json").read_text())
    assert first["manifest"]["previous"] is None
    assert _scan(tmp_path / "night2", db, weakened_sample(tmp_path), "2026-11-22T09:00:00Z") == 0
    second = json.loads((tmp_path / "night2" / "hipaa-scan-report.json").read_text())
    # Every finding of the first night is unchanged but the one the weakened estate makes fail.
    unchanged = sum(first["checklist"]["overall"]["counts"].values()) - 1
    assert second["manifest"]["previous"] == {
        "scan_id": 1,
        "scanned_at": NOW,
        "overall": first["checklist"]["overall"]["score"],
        "new": 1,
        "resolved": 0,
        "changed": 0,
        "unchanged": unchanged,
    }
    assert "1 new failing, 0 resolved" in (tmp_path / "night2" / "hipaa-scan-report.md").read_text()
    assert "1 new failing, 0 resolved" in (tmp_path / "night2" / "hipaa-scan-report.html").read_text()

    capsys.readouterr()
    assert cli.main(["history", "--history", str(db), "--format", "json"]) == 0
    trend = json.loads(capsys.readouterr().out)["scans"]
    assert [s["id"] for s in trend] == [1, 2]
    assert trend[1]["failing"] == trend[0]["failing"] + 1
    assert trend[0]["overall"] == first["checklist"]["overall"]["score"]

    # diff by history ids and by report files give the same answer
    assert cli.main(["diff", "1", "2", "--history", str(db), "--format", "json"]) == 0
    by_id = json.loads(capsys.readouterr().out)
    old_file = str(tmp_path / "night1" / "hipaa-scan-report.json")
    assert cli.main(["diff", old_file, "2", "--history", str(db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == by_id
    (new,) = by_id["new"]
    assert new["rule_id"] == "ST-02" and new["resource_id"].endswith("/stcontosophidocs")
    assert cli.main(["diff", "1", "2", "--history", str(db)]) == 0
    assert f"1 new, 0 resolved, 0 changed, {unchanged} unchanged" in capsys.readouterr().out


def test_two_scans_writing_one_history_at_once(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    base = [str(Path(sys.executable).parent / "hipaa-scan"), "scan", str(SAMPLE), "--fail-on", "never", "-q"]
    base += ["--format", "json", "--now", NOW, "--history", str(db)]
    runs = [
        subprocess.Popen([*base, "--out", str(tmp_path / f"out{n}")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for n in range(4)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT COUNT(*) FROM scans").fetchone() == (4,)
        per_scan = connection.execute("SELECT COUNT(*) FROM findings GROUP BY scan_id").fetchall()
    report = json.loads((tmp_path / "out0" / "hipaa-scan-report.json").read_text())
    assert per_scan == [(sum(report["checklist"]["overall"]["counts"].values()),)] * 4  # each scan whole


@pytest.mark.parametrize(
    ("prepare", "problem"),
    [
        ("newer", "written by a newer hipaa-scan (history schema 99"),
        ("foreign", "not a hipaa-scan history (tables: notes)"),
        ("garbage", "not a hipaa-scan history"),
    ],
)
def test_a_history_it_cannot_read_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prepare: str, problem: str
) -> None:
    db = tmp_path / "history.db"
    if prepare == "garbage":
        db.write_bytes(b"this is not sqlite" * 100)
    else:
        with sqlite3.connect(db) as connection:
            if prepare == "foreign":
                connection.execute("CREATE TABLE notes (text TEXT)")
            else:
                assert _scan(tmp_path / "first", db) == 0
                connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        capsys.readouterr()
    assert _scan(tmp_path / "out", db) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(db) in err and problem in err
    assert cli.main(["history", "--history", str(db)]) == 2


def test_history_and_diff_without_a_history_say_how_to_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none.db"
    assert cli.main(["history", "--history", str(db)]) == 2
    assert "no scan history here" in capsys.readouterr().err
    assert cli.main(["diff", "1", "2", "--history", str(db)]) == 2
    assert "no scan history here" in capsys.readouterr().err

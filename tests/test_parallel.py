"""--jobs: forked workers give exactly the single-process result."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SAMPLE

from hipaa_scan import cli
from hipaa_scan.engine import Settings, load_rule_pack, run_rules
from hipaa_scan.engine.parallel import can_fork, run_chunks, split
from hipaa_scan.errors import EvaluationError
from hipaa_scan.loaders import load_inputs

needs_fork = pytest.mark.skipif(not can_fork(), reason="workers are forked (Linux only)")
NOW = "2026-11-21T09:00:00Z"


@needs_fork
def test_any_number_of_jobs_gives_the_same_report_bytes(tmp_path: Path) -> None:
    reports = []
    for jobs in ("1", "2", "5", "auto"):
        out = tmp_path / jobs
        code = cli.main(
            ["scan", str(SAMPLE), "--format", "json", "--out", str(out), "--now", NOW, "--jobs", jobs, "-q"]
        )
        assert code == 1
        reports.append((out / "hipaa-scan-report.json").read_bytes())
    assert all(r == reports[0] for r in reports)


@needs_fork
def test_progress_counts_every_resource_of_every_worker() -> None:
    snapshot = load_inputs([str(SAMPLE)])
    seen: list[tuple[int, int]] = []
    findings = run_rules(
        snapshot,
        load_rule_pack().rules,
        settings=Settings(),
        now=datetime(2026, 11, 21, tzinfo=UTC),
        jobs=3,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert findings
    totals = {total for _, total in seen}
    assert len(totals) == 1
    (total,) = totals
    assert total >= len(snapshot.resources)
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_split_cuts_contiguous_chunks_of_about_equal_work() -> None:
    items = list(range(100))
    weights = [10 if i < 20 else 1 for i in items]  # the first fifth is most of the work
    chunks = split(items, weights, 2)
    assert [x for chunk in chunks for x in chunk] == items
    work = [sum(weights[i] for i in chunk) for chunk in chunks]
    assert len(chunks) == 2 and abs(work[0] - work[1]) <= 10
    # the first chunk (this process, which ships nothing back) can take more
    led = split(list(range(90)), [1] * 90, 2, lead=2.0)
    assert [len(c) for c in led] == [60, 30]
    assert split(items, weights, 1) == [items]
    assert split([1], [1], 4) == [[1]]
    assert split([], [], 3) == [[]]


def _pack(result: list[int], chunk: Sequence[int]) -> list[int]:
    return result


def _unpack(payload: list[int], chunk: Sequence[int]) -> list[int]:
    assert len(payload) == len(chunk)
    return payload


def _dies_in_worker(n: int, chunk: Sequence[int]) -> list[int]:
    if n == 1:
        os._exit(7)  # a worker killed mid-run (the OOM killer, a signal)
    return list(chunk)


class _UnpicklableError(Exception):
    def __reduce__(self) -> str:
        raise TypeError("cannot pickle")


def _raises_in_worker(n: int, chunk: Sequence[int]) -> list[int]:
    if n == 1:
        raise OSError(28, "No space left on device", "/out/hipaa-scan-report.json")
    return list(chunk)


def _raises_unpicklable(n: int, chunk: Sequence[int]) -> list[int]:
    if n == 1:
        raise _UnpicklableError("odd")
    return list(chunk)


@needs_fork
def test_a_worker_that_dies_or_raises_is_reported() -> None:
    with pytest.raises(EvaluationError, match="worker 1 ended without a result \\(exit code 7\\)"):
        run_chunks(_dies_in_worker, [[1, 2], [3, 4]], pack=_pack, unpack=_unpack)
    # An exception in a worker is raised here as it was raised there...
    with pytest.raises(OSError, match="No space left") as raised:
        run_chunks(_raises_in_worker, [[1, 2], [3, 4]], pack=_pack, unpack=_unpack)
    assert raised.value.filename == "/out/hipaa-scan-report.json"
    # ...or, when it cannot be sent, as one line naming it.
    with pytest.raises(EvaluationError, match="worker 1 failed: _UnpicklableError: odd"):
        run_chunks(_raises_unpicklable, [[1, 2], [3, 4]], pack=_pack, unpack=_unpack)
    assert run_chunks(_raises_in_worker, [[1, 2]], pack=_pack, unpack=_unpack) == [[1, 2]]


def test_bad_jobs_value_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scan", str(SAMPLE), "--out", str(tmp_path), "--jobs", "many"]) == 2
    assert "--jobs" in capsys.readouterr().err

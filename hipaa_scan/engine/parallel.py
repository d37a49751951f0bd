"""Evaluate contiguous chunks of the ordered resources in forked workers.

Why fork: the snapshot and its index are already in memory, and a forked
worker shares them copy-on-write, so nothing but findings crosses a process
boundary. Findings travel back once, pickled as plain tuples, and are joined
in chunk order, which keeps the result identical to a single-process run.

Where fork is not available (Windows, and macOS where it is unsafe), the scan
runs in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from hipaa_scan.errors import EvaluationError

T = TypeVar("T")
R = TypeVar("R")

# `--jobs auto` forks only for estates at least this large: below it, starting
# a worker and shipping its findings back costs more than it saves.
AUTO_MIN_EVALUATIONS = 40_000
AUTO_MAX_JOBS = 4
# How much more work this process takes than each worker: a worker packs and
# pickles its findings (about an eighth of its evaluation time at 100,000
# resources) while this process only waits; measured, not derived.
LEAD = 1.12


def can_fork() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def usable_cpus() -> int:
    """CPUs this process may run on (the affinity mask, which containers and
    taskset narrow), not the machine's total."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_jobs(evaluations: int) -> int:
    if evaluations < AUTO_MIN_EVALUATIONS:
        return 1
    return max(1, min(usable_cpus(), AUTO_MAX_JOBS))


def split(items: Sequence[T], weights: Sequence[int], parts: int, *, lead: float = 1.0) -> list[Sequence[T]]:
    """Cut ``items`` into at most ``parts`` contiguous, non-empty chunks of
    about equal total weight, the first ``lead`` times the others: the first
    runs in this process, which has no results to ship back, while each
    worker must pack its own before this process can go on."""
    total = sum(weights)
    parts = max(1, min(parts, len(items)))
    if parts == 1 or total == 0:
        return [items]
    unit = total / (lead + parts - 1)
    targets = [unit * (lead + k) for k in range(parts - 1)]  # cumulative weight at each cut
    chunks: list[Sequence[T]] = []
    start = 0
    running = 0
    for n, weight in enumerate(weights):
        running += weight
        if len(chunks) < parts - 1 and running >= targets[len(chunks)]:
            chunks.append(items[start : n + 1])
            start = n + 1
    chunks.append(items[start:])
    return [c for c in chunks if c]


class Ticks:
    """Progress shared by all chunks: each worker writes how many resources of
    its chunk it has done into shared memory; this process (chunk 0) sums them
    for the progress callback, so only this process ever draws."""

    def __init__(self, chunks: int, progress: Callable[[int, int], None] | None, total: int) -> None:
        self._counts: Any = multiprocessing.get_context("fork").RawArray("q", chunks) if chunks > 1 else [0]
        self._progress = progress
        self._total = total

    def tick(self, chunk: int, done: int) -> None:
        self._counts[chunk] = done
        if chunk == 0 and self._progress is not None:
            self._progress(sum(self._counts), self._total)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress(self._total, self._total)


def run_chunks(
    work: Callable[[int, Sequence[T]], R],
    chunks: Sequence[Sequence[T]],
    *,
    pack: Callable[[R, Sequence[T]], Any],
    unpack: Callable[[Any, Sequence[T]], R],
) -> list[R]:
    """``work(n, chunk)`` for every chunk, the first in this process and the
    others in forked workers at the same time; results in chunk order. A
    worker's result crosses the pipe as ``pack(result, chunk)`` and is rebuilt
    with ``unpack(payload, chunk)``: the chunk is in both processes already."""
    if len(chunks) == 1:
        return [work(0, chunks[0])]
    context = multiprocessing.get_context("fork")
    workers: list[tuple[Any, Connection]] = []
    try:
        for n, chunk in enumerate(chunks[1:], 1):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(work, n, chunk, pack, send), daemon=True)
            process.start()
            send.close()
            workers.append((process, receive))
        results = [work(0, chunks[0])]
        for n, (process, receive) in enumerate(workers, 1):
            results.append(unpack(_receive(n, process, receive), chunks[n]))
        return results
    finally:
        for process, receive in workers:
            receive.close()
            if process.is_alive():
                process.kill()
            process.join()


def _receive(n: int, process: Any, receive: Connection) -> Any:
    try:
        ok, payload = pickle.loads(receive.recv_bytes())  # noqa: S301 - our own forked child
    except (EOFError, OSError):
        process.join()
        raise EvaluationError(f"evaluation worker {n} ended without a result (exit code {process.exitcode})") from None
    if ok:
        return payload
    if isinstance(payload, BaseException):
        raise payload  # as if the work had run in this process
    raise EvaluationError(f"evaluation worker {n} failed: {payload}")


def _worker(
    work: Callable[[int, Any], Any], n: int, chunk: Any, pack: Callable[[Any, Any], Any], send: Connection
) -> None:
    try:
        message = pickle.dumps((True, pack(work(n, chunk), chunk)), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:
        try:
            message = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that cannot cross: its text can
            message = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
    send.send_bytes(message)
    send.close()

"""Atomic file output: a report is either complete on disk or not there."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from hipaa_scan.engine import parallel
from hipaa_scan.errors import OutputError

# Streams its content into an open file, for outputs too big to hold as bytes.
Writer = Callable[[BinaryIO], None]


def write_all_atomically(outputs: Mapping[Path, bytes | Writer], *, jobs: int = 1) -> None:
    """Write every file to a temporary sibling, then rename each into place,
    so a report is either complete on disk or not there. A writer that
    raises (a rendering error mid-stream) removes every staged file and
    leaves the previous reports as they were; a rename within one directory
    is atomic.

    With ``jobs`` > 1 the files are rendered at the same time, each output
    but the first in a forked worker (the JSON report streams while the HTML
    renders); the renames still happen only once every file is complete.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path in outputs:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            staged.append((Path(tmp_name), path))
        work = [(tmp, outputs[final]) for tmp, final in staged]
        if jobs > 1 and parallel.can_fork() and len(work) > 1:
            chunks = [work[n :: min(jobs, len(work))] for n in range(min(jobs, len(work)))]
            parallel.run_chunks(_stage_all, chunks, pack=_nothing, unpack=_nothing)
        else:
            _stage_all(0, work)
        for staged_path, final in staged:
            staged_path.replace(final)
    except BaseException as exc:
        for staged_path, _ in staged:
            staged_path.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise OutputError(f"{exc.filename or 'output'}: cannot write report ({exc.strerror or exc})") from None


def _stage_all(_chunk: int, work: Sequence[tuple[Path, bytes | Writer]]) -> None:
    for tmp, data in work:
        with tmp.open("wb", buffering=1 << 20) as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                data(handle)
            handle.flush()
            os.fsync(handle.fileno())


def _nothing(_result: object, _chunk: object) -> None:
    return None

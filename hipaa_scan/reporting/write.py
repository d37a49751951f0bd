"""Atomic file output: a report is either complete on disk or not there."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from hipaa_scan.engine import parallel
from hipaa_scan.errors import OutputError

# Streams its content into an open file, for outputs too big to hold as bytes.
Writer = Callable[[BinaryIO], None]
# An output is its bytes, a writer, or writers whose outputs are concatenated.
Content = bytes | Writer | Sequence[Writer]


def write_all_atomically(outputs: Mapping[Path, Content], *, jobs: int = 1) -> None:
    """Write every file to a temporary sibling, then rename each into place,
    so a report is either complete on disk or not there. A writer that
    raises (a rendering error mid-stream) removes every staged file and
    leaves the previous reports as they were; a rename within one directory
    is atomic.

    With ``jobs`` > 1 the parts are written at the same time, all but the
    first chunk of them in forked workers: an output given as several writers
    has its parts spread over the processes and joined afterwards, and the
    single-part outputs stay in this process, with the first part. The renames happen only once
    every file is complete.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        units: list[Unit] = []
        joins: list[tuple[Path, list[Path]]] = []
        for final, content in outputs.items():
            pieces = list(content) if isinstance(content, Sequence) and not isinstance(content, bytes) else [content]
            temps = [_temporary(final, staged) for _ in pieces]
            units.extend((tmp, piece, len(pieces) > 1) for tmp, piece in zip(temps, pieces, strict=True))
            joins.append((final, temps))
        chunks = _spread(units, jobs if parallel.can_fork() else 1)
        parallel.run_chunks(_stage_all, chunks, pack=_nothing, unpack=_nothing)
        for final, temps in joins:
            _join(temps)
            temps[0].replace(final)
    except BaseException as exc:
        for staged_path, _ in staged:
            staged_path.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise OutputError(f"{exc.filename or 'output'}: cannot write report ({exc.strerror or exc})") from None


def _temporary(final: Path, staged: list[tuple[Path, Path]]) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    staged.append((Path(name), final))
    return Path(name)


Unit = tuple[Path, Writer | bytes, bool]  # (temporary file, content, is one part of a file)


def _spread(units: list[Unit], jobs: int) -> list[list[Unit]]:
    parts = [unit for unit in units if unit[2]]
    whole = [unit for unit in units if not unit[2]]
    count = max(1, min(jobs, max(len(parts), len(whole))))
    chunks: list[list[Unit]] = [[] for _ in range(count)]
    for n, unit in enumerate(parts):
        chunks[n % count].append(unit)
    chunks[0].extend(whole)
    return [c for c in chunks if c] or [[]]


def _stage_all(_chunk: int, work: Sequence[tuple[Path, bytes | Writer, bool]]) -> None:
    for tmp, data, is_part in work:
        with tmp.open("wb", buffering=1 << 20) as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                data(handle)
            handle.flush()
            if not is_part:  # a part reaches the disk once, joined (see _join)
                os.fsync(handle.fileno())


def _join(temps: list[Path]) -> None:
    """Append every part to the first one, in order, then make it durable."""
    if len(temps) == 1:
        return
    with temps[0].open("ab") as target:
        for part in temps[1:]:
            with part.open("rb") as source:
                _append(source, target)
            part.unlink()
        target.flush()
        os.fsync(target.fileno())


def _append(source: BinaryIO, target: BinaryIO) -> None:
    # copy_file_range copies inside the kernel; where it is missing or refused
    # (another file system, an old kernel), a plain copy does the same.
    size = os.fstat(source.fileno()).st_size
    try:
        done = 0
        while done < size:
            copied = os.copy_file_range(source.fileno(), target.fileno(), size - done)
            if copied == 0:
                break
            done += copied
        if done == size:
            return
    except (AttributeError, OSError):
        pass
    target.seek(0, os.SEEK_END)
    source.seek(0)
    shutil.copyfileobj(source, target, 1 << 20)


def _nothing(_result: object, _chunk: object) -> None:
    return None

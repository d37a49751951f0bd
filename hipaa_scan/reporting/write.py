"""Atomic file output: a report is either complete on disk or not there."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from hipaa_scan.errors import OutputError

# Streams its content into an open file, for outputs too big to hold as bytes.
Writer = Callable[[BinaryIO], None]


def write_all_atomically(outputs: Mapping[Path, bytes | Writer]) -> None:
    """Write every file to a temporary sibling, then rename each into place,
    so a report is either complete on disk or not there. A writer that
    raises (a rendering error mid-stream) removes every staged file and
    leaves the previous reports as they were; a rename within one directory
    is atomic."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in outputs.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(tmp_name), path))
            with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
                if isinstance(data, bytes):
                    handle.write(data)
                else:
                    data(handle)
                handle.flush()
                os.fsync(handle.fileno())
        for staged_path, final in staged:
            staged_path.replace(final)
    except BaseException as exc:
        for staged_path, _ in staged:
            staged_path.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise OutputError(f"{exc.filename or 'output'}: cannot write report ({exc.strerror or exc})") from None

"""Atomic file output: a report is either complete on disk or not there."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from hipaa_scan.errors import OutputError


def write_all_atomically(outputs: Mapping[Path, bytes]) -> None:
    """Write every file to a temporary sibling, then rename each into place.
    All rendering happens before this is called, so a rendering error leaves
    no partial report behind; a rename within one directory is atomic."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in outputs.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            staged.append((Path(tmp_name), path))
        for staged_path, final in staged:
            staged_path.replace(final)
    except OSError as exc:
        for staged_path, _ in staged:
            staged_path.unlink(missing_ok=True)
        raise OutputError(f"{exc.filename or 'output'}: cannot write report ({exc.strerror or exc})") from None

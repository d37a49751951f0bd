"""Pause the cyclic garbage collector around allocation-heavy phases.

Loading 100,000 resources and stamping hundreds of thousands of findings
allocates millions of small acyclic objects; every generation-0 threshold
crossing would otherwise trigger a collection that finds nothing to free.
Reference counting still frees everything; collection resumes afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

"""One base error, with a subclass per layer.

The CLI turns any ``HipaaScanError`` into one line on stderr and exit code 2;
anything else is a bug and is allowed to surface as a traceback under --debug.
"""

from __future__ import annotations


class HipaaScanError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(HipaaScanError):
    """An input file is unreadable or not a shape we understand.

    The message always starts with the file name, so the user sees
    exactly one line naming the file and what is wrong with it.
    """

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class RulePackError(HipaaScanError):
    """A rule module is malformed: duplicate id, unknown citation, bad metadata."""


class ConfigError(HipaaScanError):
    """A command-line option or setting is invalid."""


class OutputError(HipaaScanError):
    """A report could not be written."""


class CollectorError(HipaaScanError):
    """Live collection cannot start or go on: no credential, authentication refused."""


class EvaluationError(HipaaScanError):
    """Rule evaluation could not finish (a worker process died)."""

"""Errors that map one-to-one onto the exit-code contract.

0 ok, 1 data problems found, 2 usage or configuration error, 3 runtime or
environment error (endpoint down, unreadable file).
"""

from __future__ import annotations


class KgError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 3


class DataProblems(KgError):
    """The data was read and checked, and problems were found."""

    exit_code = 1


class UsageError(KgError):
    """A bad flag, a missing file named on the command line, a bad config."""

    exit_code = 2


class InputError(KgError):
    """An input or environment problem found at run time (unreadable file)."""

    exit_code = 3


class Interrupted(KgError):
    """Ctrl-C, with what had already been committed: exit 0 when the store or
    server already holds the new graph (the work is done), else 3."""

    def __init__(self, message: str, *, committed: bool | None) -> None:
        super().__init__(message)
        self.committed = committed
        """True: committed; False: not; None: could not be told."""
        self.exit_code = 0 if committed else 3


class EndpointError(KgError):
    """A SPARQL endpoint could not be reached or refused the request."""

    exit_code = 3


class QueryTimeout(KgError):
    """A query ran longer than its time limit (a runtime condition, exit 3)."""

    exit_code = 3

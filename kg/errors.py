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


class EndpointError(KgError):
    """A SPARQL endpoint could not be reached or refused the request."""

    exit_code = 3


class QueryTimeout(KgError):
    """A query ran longer than its time limit (a runtime condition, exit 3)."""

    exit_code = 3

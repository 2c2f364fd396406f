"""Errors of the SLA rules: bad data files and unknown policies."""

from __future__ import annotations


class SlaDataError(ValueError):
    """An SLA data file (calendar overrides or a policy) is invalid."""


class CalendarOverridesError(SlaDataError):
    """The calendar override file is invalid; the message names the bad entry."""


class PolicyFileError(SlaDataError):
    """A policy file is invalid or inconsistent; the message names the file and the field."""


class UnknownPolicy(LookupError):
    """No SLA policy with this name (and version) is loaded."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"unknown SLA policy {ref!r}")
        self.ref = ref

"""The ledger's error hierarchy: domain errors refuse a command, nothing is written."""

from __future__ import annotations

from uuid import UUID


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""


class DomainError(LedgerError):
    """A command broke a rule of the domain; no event was recorded."""


class IllegalTransition(DomainError):
    """The action is not allowed from the report's current state."""

    def __init__(self, report_id: UUID, state: str, action: str, detail: str | None = None) -> None:
        self.report_id = report_id
        self.state = str(state)
        self.action = str(action)
        self.detail = detail
        message = f"cannot {self.action} a report in state '{self.state}'"
        super().__init__(f"{message}: {detail}" if detail else message)


class InvalidCommand(DomainError):
    """A command argument is missing or wrong (reason required, unknown value, wrong agency)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class ReportNotFound(LedgerError):
    """No report with this id exists."""

    def __init__(self, report_id: UUID | str) -> None:
        self.report_id = report_id
        super().__init__(f"report {report_id} not found")


class VersionConflict(LedgerError):
    """The report changed since the caller read it (stale If-Match version)."""

    def __init__(self, report_id: UUID | str, expected: int, actual: int | None) -> None:
        self.report_id = report_id
        self.expected = expected
        self.actual = actual
        super().__init__(f"report {report_id}: expected version {expected}, found {actual}")

"""Value types and the error hierarchy."""

from __future__ import annotations

from uuid import UUID

import pytest

from ledger.domain import (
    ALLOWED_FROM,
    TERMINAL_STATES,
    Action,
    Actor,
    ArchiveReason,
    Classification,
    DomainError,
    HandlingClass,
    IllegalTransition,
    InvalidCommand,
    LedgerError,
    Privacy,
    ReportNotFound,
    Role,
    State,
    VersionConflict,
)

RID = UUID(int=7)


def test_actor_event_form_round_trips() -> None:
    actor = Actor("admin-kemenkes-1", Role.ADMIN_AGENCY, "kemenkes")
    data = actor.as_dict()
    assert data == {"id": "admin-kemenkes-1", "role": "admin_agency", "agency_id": "kemenkes"}
    assert type(data["role"]) is str
    assert Actor.from_dict(data) == actor


def test_anonymous_actor_and_string_role() -> None:
    actor = Actor.from_dict({"id": None, "role": "reporter", "agency_id": None})
    assert actor.role is Role.REPORTER
    assert actor.as_dict() == {"id": None, "role": "reporter", "agency_id": None}


def test_unknown_role_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="unknown role"):
        Actor("x", "camat")  # type: ignore[arg-type]


def test_enum_values_match_domain_words() -> None:
    assert [c.value for c in Classification] == [
        "pengaduan",
        "aspirasi",
        "permintaan_informasi",
        "wbs",
    ]
    assert [p.value for p in Privacy] == ["public", "anonim", "rahasia"]
    assert len(HandlingClass) == 5
    assert {r.value for r in ArchiveReason} == {
        "incomplete_format",
        "too_general",
        "not_public_service",
        "duplicate",
    }
    assert len(State) == 11
    assert Role.SYSTEM == "system"


def test_hierarchy() -> None:
    assert issubclass(DomainError, LedgerError)
    assert issubclass(IllegalTransition, DomainError)
    assert issubclass(InvalidCommand, DomainError)
    assert issubclass(ReportNotFound, LedgerError)
    assert not issubclass(ReportNotFound, DomainError)
    assert issubclass(VersionConflict, LedgerError)
    assert not issubclass(VersionConflict, DomainError)


def test_messages_and_attributes() -> None:
    error = IllegalTransition(RID, State.SUBMITTED, Action.FOLLOW_UP)
    assert (error.report_id, error.state, error.action) == (RID, "submitted", "follow_up")
    assert str(error) == "cannot follow_up a report in state 'submitted'"
    detailed = IllegalTransition(RID, State.COMPLETED, Action.ERASE_PERSONAL_DATA, "already")
    assert str(detailed) == "cannot erase_personal_data a report in state 'completed': already"
    conflict = VersionConflict(RID, expected=3, actual=4)
    assert (conflict.report_id, conflict.expected, conflict.actual) == (RID, 3, 4)
    assert str(conflict) == f"report {RID}: expected version 3, found 4"
    assert str(ReportNotFound(RID)) == f"report {RID} not found"
    assert InvalidCommand("reason is required", field="reason").field == "reason"


def test_terminal_states_allow_only_records() -> None:
    records = {
        Action.ANNOTATE,
        Action.ADD_INVESTIGATION_NOTE,
        Action.RECORD_DISCLOSURE,
        Action.ERASE_PERSONAL_DATA,
    }
    for state in TERMINAL_STATES:
        assert {a for a, states in ALLOWED_FROM.items() if state in states} == records

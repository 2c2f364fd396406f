"""The lifecycle table of DOMAIN.md: which action is allowed from which state."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from ledger.domain.errors import IllegalTransition
from ledger.domain.values import State


class Action(StrEnum):
    """A command on a report, named like the Report method that performs it."""

    SUBMIT = "submit"
    PUT_ON_HOLD = "put_on_hold"  # tunda
    ARCHIVE = "archive"  # arsipkan
    VERIFY = "verify"  # verifikasi
    DISPOSITION = "disposition"  # disposisi / teruskan
    RETURN_NOT_AUTHORITY = "return_not_authority"  # bukan wewenang
    FOLLOW_UP = "follow_up"  # tindak lanjut
    REQUEST_CLARIFICATION = "request_clarification"  # minta klarifikasi
    RESPOND = "respond"  # tanggapan pelapor
    COMPLETE = "complete"  # selesai
    REOPEN = "reopen"  # keberatan
    ESCALATE = "escalate"  # to Ombudsman RI
    ANNOTATE = "annotate"
    ADD_INVESTIGATION_NOTE = "add_investigation_note"
    RECORD_DISCLOSURE = "record_disclosure"
    EXTEND_ANSWER_DEADLINE = "extend_answer_deadline"  # perpanjangan jangka waktu (UU 14/2008)
    ERASE_PERSONAL_DATA = "erase_personal_data"  # UU 27/2022 (PDP)


ALL_STATES = frozenset(State)
TERMINAL_STATES = frozenset({State.ARCHIVED, State.ESCALATED})
FOLLOW_UP_STATES = frozenset(
    {State.DISPOSITIONED, State.IN_FOLLOW_UP, State.REPORTER_RESPONDED, State.REOPENED}
)

ALLOWED_FROM: Mapping[Action, frozenset[State]] = MappingProxyType(
    {
        Action.PUT_ON_HOLD: frozenset({State.SUBMITTED}),
        Action.ARCHIVE: frozenset({State.SUBMITTED, State.ON_HOLD}),
        Action.VERIFY: frozenset({State.SUBMITTED, State.ON_HOLD}),
        Action.DISPOSITION: frozenset(
            {State.VERIFIED, State.RETURNED_NOT_AUTHORITY, State.DISPOSITIONED}
        ),
        Action.RETURN_NOT_AUTHORITY: frozenset({State.DISPOSITIONED}),
        Action.FOLLOW_UP: FOLLOW_UP_STATES,
        Action.REQUEST_CLARIFICATION: frozenset(
            {State.DISPOSITIONED, State.IN_FOLLOW_UP, State.REOPENED}
        ),
        # respond is also allowed from any state while the reporter owes an answer
        Action.RESPOND: frozenset({State.ON_HOLD, State.IN_FOLLOW_UP}),
        # while the information request is with an agency and not yet answered
        Action.EXTEND_ANSWER_DEADLINE: frozenset({State.DISPOSITIONED}),
        Action.COMPLETE: frozenset({State.IN_FOLLOW_UP, State.REPORTER_RESPONDED}),
        Action.REOPEN: frozenset({State.COMPLETED}),
        Action.ESCALATE: ALL_STATES - TERMINAL_STATES,
        Action.ANNOTATE: ALL_STATES,
        Action.ADD_INVESTIGATION_NOTE: ALL_STATES,
        Action.RECORD_DISCLOSURE: ALL_STATES,
        Action.ERASE_PERSONAL_DATA: ALL_STATES,
    }
)

# The state an action leads to; actions missing here leave the state as it is.
LEADS_TO: Mapping[Action, State] = MappingProxyType(
    {
        Action.SUBMIT: State.SUBMITTED,
        Action.PUT_ON_HOLD: State.ON_HOLD,
        Action.ARCHIVE: State.ARCHIVED,
        Action.VERIFY: State.VERIFIED,
        Action.DISPOSITION: State.DISPOSITIONED,
        Action.RETURN_NOT_AUTHORITY: State.RETURNED_NOT_AUTHORITY,
        Action.FOLLOW_UP: State.IN_FOLLOW_UP,
        Action.COMPLETE: State.COMPLETED,
        Action.REOPEN: State.REOPENED,
        Action.ESCALATE: State.ESCALATED,
    }
)


def is_allowed(action: Action, state: State, *, awaiting_reporter: bool = False) -> bool:
    """Tell whether the lifecycle table allows the action from the state."""
    if action is Action.RESPOND and awaiting_reporter:
        return True
    return state in ALLOWED_FROM.get(action, frozenset())


def require_allowed(
    report_id: UUID, state: State, action: Action, *, awaiting_reporter: bool = False
) -> None:
    """Raise IllegalTransition unless the table allows the action from the state."""
    if not is_allowed(action, state, awaiting_reporter=awaiting_reporter):
        raise IllegalTransition(report_id, state, action)


def next_state(action: Action, state: State) -> State:
    """Return the state after the action (tanggapan pelapor moves a follow-up on)."""
    if action is Action.RESPOND and state is State.IN_FOLLOW_UP:
        return State.REPORTER_RESPONDED
    return LEADS_TO.get(action, state)

"""The lifecycle table of DOMAIN.md, written out again for the tests (not imported from ledger)."""

from __future__ import annotations

from ledger.domain import Action, Report, State

S = State
EVERY_STATE = frozenset(State)

# action -> (states it is allowed from, event class name, state it leads to or None = unchanged)
TABLE: dict[Action, tuple[frozenset[State], str, State | None]] = {
    Action.PUT_ON_HOLD: (frozenset({S.SUBMITTED}), "PutOnHold", S.ON_HOLD),
    Action.ARCHIVE: (frozenset({S.SUBMITTED, S.ON_HOLD}), "Archived", S.ARCHIVED),
    Action.VERIFY: (frozenset({S.SUBMITTED, S.ON_HOLD}), "Verified", S.VERIFIED),
    Action.DISPOSITION: (
        frozenset({S.VERIFIED, S.RETURNED_NOT_AUTHORITY, S.DISPOSITIONED}),
        "Dispositioned",
        S.DISPOSITIONED,
    ),
    Action.RETURN_NOT_AUTHORITY: (
        frozenset({S.DISPOSITIONED}),
        "ReturnedNotAuthority",
        S.RETURNED_NOT_AUTHORITY,
    ),
    Action.FOLLOW_UP: (
        frozenset({S.DISPOSITIONED, S.IN_FOLLOW_UP, S.REPORTER_RESPONDED, S.REOPENED}),
        "FollowedUp",
        S.IN_FOLLOW_UP,
    ),
    Action.REQUEST_CLARIFICATION: (
        frozenset({S.DISPOSITIONED, S.IN_FOLLOW_UP, S.REOPENED}),
        "ClarificationRequested",
        None,
    ),
    # without an open question; on_hold always has one
    Action.RESPOND: (frozenset({S.ON_HOLD, S.IN_FOLLOW_UP}), "Responded", None),
    Action.COMPLETE: (frozenset({S.IN_FOLLOW_UP, S.REPORTER_RESPONDED}), "Completed", S.COMPLETED),
    Action.REOPEN: (frozenset({S.COMPLETED}), "Reopened", S.REOPENED),
    Action.ESCALATE: (EVERY_STATE - {S.ARCHIVED, S.ESCALATED}, "Escalated", S.ESCALATED),
    Action.ANNOTATE: (EVERY_STATE, "Annotated", None),
    Action.ADD_INVESTIGATION_NOTE: (EVERY_STATE, "InvestigationNoteAdded", None),
    Action.RECORD_DISCLOSURE: (EVERY_STATE, "DisclosureRecorded", None),
    Action.ERASE_PERSONAL_DATA: (EVERY_STATE, "PersonalDataErased", None),
}

SEALING = frozenset(
    {Action.FOLLOW_UP, Action.RESPOND, Action.REOPEN, Action.ADD_INVESTIGATION_NOTE}
)


def expected_state(action: Action, state: State) -> State:
    """The state the table says the action leads to."""
    if action is Action.RESPOND and state is S.IN_FOLLOW_UP:
        return S.REPORTER_RESPONDED
    return TABLE[action][2] or state


def valid_actions(report: Report) -> list[Action]:
    """Every action a report accepts now, given its state and flags."""
    actions = []
    for action, (states, _, _) in TABLE.items():
        allowed = report.state in states or (action is Action.RESPOND and report.awaiting_reporter)
        if action is Action.ADD_INVESTIGATION_NOTE and not report.is_wbs:
            allowed = False
        if action in SEALING and report.erased:
            allowed = False
        if action is Action.ERASE_PERSONAL_DATA and report.erased:
            allowed = False
        if allowed:
            actions.append(action)
    return actions

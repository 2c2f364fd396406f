"""Every (state, action) pair of the lifecycle table: one event if allowed, nothing if not."""

from __future__ import annotations

import pytest

from ledger.domain import Action, IllegalTransition, Report, ReportEvent, State

from .factory import HOUR, PERFORM, report_in
from .spec import TABLE, expected_state

PAIRS = [(state, action) for state in State for action in TABLE]


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s.value}-{a.value}" for s, a in PAIRS])
def test_state_action_pair(state: State, action: Action) -> None:
    report, last = report_in(state)
    report.collect_events()
    version = report.version
    at = last + HOUR
    allowed_from, event_name, _ = TABLE[action]

    if state in allowed_from:
        actor = PERFORM[action](report, at)
        events = report.collect_events()
        assert len(events) == 1
        (event,) = events
        assert type(event) is getattr(Report, event_name)
        assert isinstance(event, ReportEvent)
        assert event.originator_id == report.id
        assert event.originator_version == version + 1
        assert event.actor == actor.as_dict()
        assert event.at == at
        assert event.timestamp == at
        assert event.state == expected_state(action, state).value
        assert report.state is expected_state(action, state)
        assert report.version == version + 1
    else:
        with pytest.raises(IllegalTransition) as refused:
            PERFORM[action](report, at)
        assert refused.value.state == state.value
        assert refused.value.action == action.value
        assert refused.value.report_id == report.id
        assert str(refused.value) == f"cannot {action.value} a report in state '{state.value}'"
        assert report.collect_events() == []
        assert report.version == version
        assert report.state is state


def test_table_covers_every_command() -> None:
    commands = {name for name in vars(Report) if not name.startswith("_")}
    assert {a.value for a in TABLE} | {"submit"} <= commands


@pytest.mark.parametrize(
    ("state", "after"),
    [
        (State.DISPOSITIONED, State.DISPOSITIONED),
        (State.IN_FOLLOW_UP, State.REPORTER_RESPONDED),
        (State.REOPENED, State.REOPENED),
    ],
)
def test_clarification_is_answered_by_respond(state: State, after: State) -> None:
    report, at = report_in(state)
    PERFORM[Action.REQUEST_CLARIFICATION](report, at + HOUR)
    assert report.awaiting_reporter
    PERFORM[Action.RESPOND](report, at + 2 * HOUR)
    assert report.state is after
    assert not report.awaiting_reporter
    assert [type(e).__name__ for e in report.collect_events()][-2:] == [
        "ClarificationRequested",
        "Responded",
    ]


def test_no_respond_without_a_question_in_dispositioned() -> None:
    report, at = report_in(State.DISPOSITIONED)
    report.collect_events()
    with pytest.raises(IllegalTransition):
        PERFORM[Action.RESPOND](report, at + HOUR)
    assert report.collect_events() == []


@pytest.mark.parametrize("action", [Action.ARCHIVE, Action.VERIFY, Action.ESCALATE])
def test_leaving_a_state_closes_the_open_question(action: Action) -> None:
    report, at = report_in(State.ON_HOLD)
    assert report.awaiting_reporter
    PERFORM[action](report, at + HOUR)
    assert not report.awaiting_reporter

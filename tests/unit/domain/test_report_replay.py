"""Replay: stored events rebuild exactly the report that emitted them, sealed or erased."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.utils import get_topic, resolve_topic
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain import EVENT_CLASSES, SEALED_FIELD_NAMES, Action, Report, ReportEvent, State

from .factory import (
    ADMIN,
    AUDITOR,
    HOUR,
    INVESTIGATOR,
    OBJECTION_WINDOW,
    PERFORM,
    SYSTEM,
    T0,
    new_report,
    no_wrong_door_history,
)
from .spec import expected_state, valid_actions

PUBLIC_ATTRIBUTES = (
    "id", "version", "state", "classification", "privacy", "urgency", "channel", "category",
    "target_agency_id", "agency_id", "unit_id", "handling_class", "sla_policy",
    "sla_policy_version", "deadlines", "submitted_at", "verified_at", "dispositioned_at",
    "first_follow_up_at", "last_follow_up_at", "completed_at", "objection_deadline",
    "not_authority_returns", "dispositions", "returned_by", "awaiting_reporter", "erased",
    "escalated_from", "escalated_at", "archive_reason", "reopens", "title", "body", "reporter",
    "attachments", "is_wbs", "created_on", "modified_on",
)  # fmt: skip

SEALED = {
    "Submitted": {"title", "body", "reporter", "attachments"},
    "FollowedUp": {"message", "attachments"},
    "Responded": {"message"},
    "Reopened": {"objection"},
    "InvestigationNoteAdded": {"note"},
}

Events = Sequence[CanMutateAggregate[UUID]]


def mapper() -> Mapper[UUID]:
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    return Mapper(transcoder=transcoder)


def replay(events: Events) -> Report:
    report = project_aggregate(None, events)
    assert isinstance(report, Report)
    return report


def through_json(events: Events) -> list[Any]:
    m = mapper()
    return [m.to_domain_event(m.to_stored_event(e)) for e in events]


def without_key(events: Events) -> list[Any]:
    """The events as they load once the data key is gone: every sealed field None."""
    blanked = []
    for event in events:
        assert isinstance(event, ReportEvent)
        erased: dict[str, Any] = dict.fromkeys(event.sealed_fields)
        blanked.append(dataclasses.replace(event, **erased))
    return blanked


def assert_same(replayed: Report, original: Report) -> None:
    for name in PUBLIC_ATTRIBUTES:
        assert getattr(replayed, name) == getattr(original, name), name
    assert replayed == original


def long_history() -> tuple[Report, list[CanMutateAggregate[UUID]]]:
    report = no_wrong_door_history(wbs=True)
    at = T0 + 20 * HOUR
    report.annotate(AUDITOR, at, note="penanganan berulang")
    report.add_investigation_note(INVESTIGATOR, at + HOUR, note="saksi diperiksa")
    report.record_disclosure(AUDITOR, at + 2 * HOUR, fields=["body", "note"], purpose="LHP")
    report.escalate(ADMIN, at + 3 * HOUR, reason="maladministrasi")
    return report, list(report.collect_events())


def test_replay_rebuilds_every_public_attribute() -> None:
    original, events = long_history()
    assert len(events) == 17
    assert_same(replay(events), original)
    assert_same(replay(through_json(events)), original)


def test_replay_after_erasure_without_the_data_key() -> None:
    original, events = long_history()
    original.erase_personal_data(ADMIN, T0 + 30 * HOUR, legal_basis="UU 27/2022")
    events += original.collect_events()
    replayed = replay(without_key(through_json(events)))
    assert_same(replayed, original)
    assert replayed.erased and replayed.title is None and replayed.reporter is None


def test_report_loads_with_sealed_fields_unopened() -> None:
    original, events = long_history()
    replayed = replay(without_key(events))
    assert (replayed.title, replayed.body, replayed.reporter, replayed.attachments) == (
        None, None, None, None,
    )  # fmt: skip
    for name in set(PUBLIC_ATTRIBUTES) - {"title", "body", "reporter", "attachments"}:
        assert getattr(replayed, name) == getattr(original, name), name


def test_same_commands_give_byte_identical_events() -> None:
    m = mapper()
    first = [m.to_stored_event(e) for e in long_history()[1]]
    second = [m.to_stored_event(e) for e in long_history()[1]]
    assert first == second  # no clock, random id or hash inside the domain


def test_sealed_fields_declarations() -> None:
    assert ReportEvent.sealed_fields == frozenset()
    for cls in EVENT_CLASSES:
        adopted = getattr(Report, cls.__name__)
        assert issubclass(adopted, cls)
        assert adopted.sealed_fields == cls.sealed_fields == frozenset(SEALED.get(cls.__name__, ()))
        fields = {f.name for f in dataclasses.fields(cls)}
        assert {"actor", "at", "state"} <= fields
        assert cls.sealed_fields <= fields
        assert "sealed_fields" not in fields
    assert frozenset().union(*SEALED.values()) == SEALED_FIELD_NAMES


def test_stored_topics_name_the_report_events() -> None:
    _, events = long_history()
    for event in events:
        topic = get_topic(type(event))
        assert topic == f"ledger.domain.report:Report.{type(event).__name__}"
        assert resolve_topic(topic) is type(event)


def json_friendly(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_friendly(v) for k, v in value.items())
    if isinstance(value, list):
        return all(json_friendly(v) for v in value)
    return value is None or type(value) in (str, int, bool, datetime, UUID)


def test_event_values_are_json_friendly() -> None:
    _, events = long_history()
    for event in events:
        assert json_friendly(vars(event)), type(event).__name__


AUTO_CLOSE = "auto_close"


@settings(max_examples=60, deadline=None, database=None)
@given(st.data(), st.booleans())
def test_random_valid_histories_replay(data: st.DataObject, wbs: bool) -> None:
    report = new_report(wbs=wbs)
    events = list(report.collect_events())
    at = T0
    for _ in range(data.draw(st.integers(0, 30), label="steps")):
        choices: list[Action | str] = [*valid_actions(report)]
        if report.state is State.IN_FOLLOW_UP:
            choices.append(AUTO_CLOSE)
        action = data.draw(st.sampled_from(choices), label="action")
        at += HOUR
        before = report.state
        if action == AUTO_CLOSE:
            deadline = at + OBJECTION_WINDOW
            report.complete(SYSTEM, at, summary="auto", auto=True, objection_deadline=deadline)
            assert report.state is State.COMPLETED
        else:
            PERFORM[Action(action)](report, at)
            assert report.state is expected_state(Action(action), before)
        new = report.collect_events()
        assert len(new) == 1
        events += new
    assert report.version == len(events)
    assert_same(replay(events), report)
    assert_same(replay(through_json(events)), report)

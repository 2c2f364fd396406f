"""The deadline stamper looks up each rule and calendar once and gives the deadlines the policy
itself gives; a lookup that fails keeps failing; the book's latest version is the highest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ledger.agencies.registry import UnknownAgency
from ledger.deadlines import DeadlineStamper
from ledger.sla import (
    CLASSIFICATIONS,
    HANDLING_CLASSES,
    URGENCIES,
    Clock,
    PolicyBook,
    policy_for,
)
from ledger.sla.book import UnknownPolicy

STARTS = (
    datetime(2026, 3, 13, 9, 30, tzinfo=UTC),  # a Friday
    datetime(2026, 3, 20, 23, 59, tzinfo=UTC),  # Idul Fitri 1447 H and its cuti bersama
    datetime(2025, 12, 24, 1, 0, tzinfo=UTC),  # before Christmas
)


def _by_policy(
    stamper: DeadlineStamper,
    clock: Clock,
    agency: str,
    classification: str,
    urgency: str,
    start: datetime,
    handling_class: str | None,
    hold: tuple[datetime, datetime] | None,
) -> datetime | None:
    """The deadline as the policy gives it, looked up from scratch."""
    choice = policy_for(classification, urgency, stamper.registry.get(agency).sla_policy)
    policy = stamper.book.get(choice.policy_name(clock))
    return policy.deadline(
        clock,
        start,
        stamper.calendar(agency),
        handling_class=handling_class,
        urgency=urgency,
        hold=hold,
    )


def test_remembered_rules_give_the_policies_deadlines() -> None:
    stamper = DeadlineStamper.load_default()
    # one agency of each SLA policy and time zone, and the address a report may carry
    kinds = {(a.sla_policy, a.time_zone): a.id for a in stamper.registry.all()}
    agencies = sorted(kinds.values())
    assert len({policy for policy, _ in kinds}) > 1 and len({zone for _, zone in kinds}) > 2
    compared = 0
    for _ in range(2):  # the second round finds every rule remembered
        for agency in agencies:
            for classification in sorted(CLASSIFICATIONS):
                for urgency in sorted(URGENCIES):
                    for clock in Clock:
                        for handling_class in (None, *sorted(HANDLING_CLASSES)):
                            for n, start in enumerate(STARTS):
                                hold = (
                                    None
                                    if n
                                    else (start + timedelta(hours=2), start + 3 * timedelta(days=1))
                                )
                                args = (clock, agency, classification, urgency, start)
                                expected = _by_policy(stamper, *args, handling_class, hold)
                                got = stamper.due(
                                    clock,
                                    agency_id=agency,
                                    classification=classification,
                                    urgency=urgency,
                                    start=start,
                                    handling_class=handling_class,
                                    hold=hold,
                                )
                                assert got == expected, args
                                compared += expected is not None
    assert compared > 1000


def test_a_failing_lookup_keeps_failing_and_naive_times_are_refused() -> None:
    stamper = DeadlineStamper.load_default()
    start = STARTS[0]
    for _ in range(2):
        with pytest.raises(UnknownAgency):
            stamper.due(
                Clock.VERIFICATION,
                agency_id="no-such-agency",
                classification="pengaduan",
                urgency="normal",
                start=start,
            )
        with pytest.raises(ValueError, match="urgency"):
            stamper.due(
                Clock.VERIFICATION,
                agency_id="kemenpanrb",
                classification="pengaduan",
                urgency="nope",
                start=start,
            )
    for clock in (Clock.VERIFICATION, Clock.KIP_ANSWER):  # a clock with a rule and one without
        for _ in range(2):
            with pytest.raises(ValueError, match="start"):
                stamper.due(
                    clock,
                    agency_id="kemenpanrb",
                    classification="pengaduan",
                    urgency="normal",
                    start=start.replace(tzinfo=None),
                )


def test_the_book_gives_the_highest_version_of_a_name() -> None:
    shipped = PolicyBook.load_default().all()
    newer = [replace(p, version=p.version + 1) for p in shipped]
    book = PolicyBook([*newer, *shipped])
    for policy in shipped:
        assert book.get(policy.name).version == policy.version + 1
    for policy in book.all():
        versions = [p.version for p in book.all() if p.name == policy.name]
        assert book.get(policy.name).version == max(versions)
        assert book.get(policy.name, policy.version) is policy
    with pytest.raises(UnknownPolicy):
        book.get("no-such-policy")

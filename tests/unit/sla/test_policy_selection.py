"""policy_for: which policy sets which clock, by classification, urgency and agency."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ledger.agencies import AgencyRegistry
from ledger.sla import Clock, PolicyBook, WorkingCalendar, policy_for


def test_the_agency_default_applies_to_ordinary_reports() -> None:
    choice = policy_for("pengaduan", "normal", "diy-2021")
    assert {choice.policy_name(clock) for clock in Clock} == {"diy-2021"}
    assert choice.names() == ("diy-2021",)
    assert policy_for("wbs", "disaster", "national-2018").policy_name(Clock.COMPLETION) == (
        "national-2018"
    )


def test_information_requests_follow_kip() -> None:
    choice = policy_for("permintaan_informasi", "normal", "diy-2021")
    assert choice.policy_name(Clock.KIP_ANSWER) == "kip-2008"
    assert choice.policy_name(Clock.VERIFICATION) == "kip-2008"


def test_covid_takes_over_disposition_and_follow_up_only() -> None:
    choice = policy_for("aspirasi", "covid", "diy-2021")
    assert choice.policy_name(Clock.VERIFICATION) == "covid-2020"
    assert choice.policy_name(Clock.FIRST_FOLLOW_UP) == "covid-2020"
    assert choice.policy_name(Clock.COMPLETION) == "diy-2021"  # DIY's 15-minute rule stays
    assert choice.names() == ("diy-2021", "covid-2020")


def test_a_covid_report_at_sleman_end_to_end() -> None:
    registry, book = AgencyRegistry.load_default(), PolicyBook.load_default()
    agency = registry.get("kab-sleman.dinkes")
    calendar = WorkingCalendar(registry.time_zone(agency.id))
    choice = policy_for("aspirasi", "covid", agency.sla_policy)
    start = datetime(2020, 5, 20, 14, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    # covid-2020 verification 1 WD: Wed 20 May 2020, 21 May Ascension -> Fri 22 May.
    verification = book.get(choice.policy_name(Clock.VERIFICATION))
    assert verification.deadline(Clock.VERIFICATION, start, calendar) == datetime(
        2020, 5, 22, 16, 59, 59, 999999, tzinfo=UTC
    )
    # DIY info_aspiration under COVID: 15 minutes, 14:15 WIB = 07:15 UTC.
    completion = book.get(choice.policy_name(Clock.COMPLETION))
    assert completion.deadline(
        Clock.COMPLETION, start, calendar, handling_class="info_aspiration", urgency="covid"
    ) == datetime(2020, 5, 20, 7, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("classification", "urgency", "default", "message"),
    [
        ("keluhan", "normal", "national-2018", "unknown classification"),
        ("pengaduan", "urgent", "national-2018", "unknown urgency"),
        ("pengaduan", "normal", "", "must be named"),
    ],
)
def test_unknown_strings_are_refused(
    classification: str, urgency: str, default: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        policy_for(classification, urgency, default)

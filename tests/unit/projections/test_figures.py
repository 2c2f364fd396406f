"""Shares and figures: where a report counts, and how groups add up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from projections.rules.figures import (
    NATIONAL,
    ClockFigure,
    Figures,
    Period,
    figures_by_group,
)
from projections.rules.shares import agency_shares, bucket_of, national_share, report_day
from tests.unit.projections.histories import LIAISON, SERANG, T0, D, H, History


def bounced() -> History:
    """Verified by Kota Serang's admin, returned by it, followed up by Kabupaten Tangerang."""
    h = History(target="kota-serang").verify(T0 + H, due=T0 + 3 * D, actor=SERANG)
    h.do("disposition", SERANG, T0 + 2 * H, agency_id="kota-serang", deadlines={})
    h.do("return_not_authority", SERANG, T0 + D, reason="bukan wewenang")
    h.disposition(T0 + 2 * D, "kab-tangerang", first_follow_up=T0 + 4 * D)
    return h.do("follow_up", LIAISON, T0 + 5 * D, message="ditinjau")


def test_a_report_counts_once_nationally_and_once_per_agency_involved() -> None:
    record = bounced().record()
    national = national_share(record)
    assert (national.bucket, national.returns, national.redispositions) == ("in_process", 1, 1)
    assert national.handling and national.followed_up
    shares = {s.agency_id: s for s in agency_shares(record)}
    assert set(shares) == {"kota-serang", "kab-tangerang"}
    assert (shares["kota-serang"].bucket, shares["kota-serang"].returns) == ("forwarded", 1)
    assert not shares["kota-serang"].handling
    assert (shares["kab-tangerang"].bucket, shares["kab-tangerang"].redispositions) == (
        "in_process",
        1,
    )


def test_every_state_has_a_bucket() -> None:
    assert bucket_of("on_hold") == "unverified" and bucket_of("reopened") == "in_process"
    with pytest.raises(ValueError, match="unknown report state"):
        bucket_of("lost")


def test_figures_by_agency_and_nationally() -> None:
    record = bounced().record()
    as_of = T0 + 30 * D
    national = figures_by_group([record], as_of=as_of, by_agency=False)[NATIONAL]
    assert (national.received, national.returns, national.re_dispositions) == (1, 1, 1)
    assert national.verification == ClockFigure(met=1)
    assert national.first_follow_up == ClockFigure(missed=1)
    assert national.followed_up_share == 1.0 and national.target_met is True
    agencies = figures_by_group([record], as_of=as_of, by_agency=True)
    assert agencies["kota-serang"].buckets["forwarded"] == 1
    assert agencies["kota-serang"].verification == ClockFigure(met=1)  # its admin verified
    assert agencies["kab-tangerang"].first_follow_up == ClockFigure(missed=1)
    assert agencies["kota-serang"].followed_up_share is None
    hub = Figures()
    for name in ("kota-serang", "kab-tangerang"):
        hub.merge(agencies[name])
    assert (hub.received, hub.returns, hub.first_follow_up.missed) == (2, 1, 1)


def test_running_clocks_are_pending_until_due() -> None:
    h = History().verify(T0 + H, due=T0 + 3 * D)
    record = h.disposition(T0 + 2 * H, "kota-serang", first_follow_up=T0 + 7 * D).record()
    before = figures_by_group([record], as_of=T0 + 7 * D, by_agency=False)[NATIONAL]
    after = figures_by_group([record], as_of=T0 + 8 * D, by_agency=False)[NATIONAL]
    assert before.first_follow_up == ClockFigure(pending=1)
    assert after.first_follow_up == ClockFigure(missed=1) and after.first_follow_up.rate == 0.0
    assert after.followed_up_share == 0.0 and after.target_met is False


def test_period_and_classification_filter_by_submission() -> None:
    late_evening = T0 + timedelta(hours=15)  # 02:00 UTC + 15 h = 00:00 WIB the next day
    record = History(at=late_evening).record()
    assert report_day(record) == date(2026, 3, 3)
    assert date(2026, 3, 3) in Period(date(2026, 3, 3), date(2026, 3, 3))
    by = {"as_of": T0, "by_agency": False}
    assert figures_by_group([record], period=Period(date(2026, 3, 2), date(2026, 3, 2)), **by) == {}
    assert figures_by_group([record], period=Period.year(2026), **by)[NATIONAL].received == 1
    assert figures_by_group([record], classification="wbs", **by) == {}

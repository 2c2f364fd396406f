"""The national profile: peaks visible in the curve, mixes within tolerance, repeatable."""

from __future__ import annotations

import random
from collections import Counter
from statistics import median

import pytest

from ledger.agencies.registry import AgencyRegistry
from ledger.deadlines import DeadlineStamper
from ledger.load.profile import (
    WIB,
    daily_curve,
    draw_arrivals,
    idul_fitri,
    load_profile,
    pick_agency,
    scaled_registry,
)
from ledger.load.schedule import build_schedule

PROFILE = load_profile()


def test_lebaran_week_surrounds_idul_fitri_and_peaks() -> None:
    curve = dict(daily_curve(PROFILE))
    ordinary = median(curve.values())
    week = [curve[d] for d in curve if PROFILE.lebaran.covers(d)]
    assert PROFILE.lebaran.covers(idul_fitri(PROFILE.year))
    assert len(week) == PROFILE.lebaran.days
    assert min(week) > 1.5 * ordinary * min(PROFILE.weekday) / max(PROFILE.weekday)
    assert sum(week) / len(week) > 2.5 * ordinary


def test_disaster_spike_visible_and_urgent_in_its_region() -> None:
    curve = dict(daily_curve(PROFILE))
    spike = [curve[d] for d in curve if PROFILE.disaster.covers(d)]
    assert sum(spike) / len(spike) > 3 * median(curve.values())
    rng = random.Random(3)
    arrivals = draw_arrivals(PROFILE, rng, 4000)
    disaster = [a for a in arrivals if a.disaster]
    assert disaster and all(PROFILE.disaster.covers((a.at + WIB).date()) for a in disaster)
    registry = AgencyRegistry.load_default()
    region = {PROFILE.disaster_region, *(a.id for a in registry.descendants("prov-diy"))}
    assert all(pick_agency(PROFILE, rng, registry, True).id in region for _ in range(50))


def test_arrivals_follow_weekdays_and_working_hours() -> None:
    arrivals = draw_arrivals(PROFILE, random.Random(5), 6000)
    assert [a.at for a in arrivals] == sorted(a.at for a in arrivals)
    days = Counter(a.at.weekday() for a in arrivals if not a.lebaran and not a.disaster)
    assert days[0] > 1.8 * days[6]
    hours = Counter((a.at.hour + 7) % 24 for a in arrivals)  # WIB
    assert hours[10] > 5 * hours[2]


def test_level_mix_within_tolerance() -> None:
    registry = AgencyRegistry.load_default()
    rng = random.Random(9)
    levels = Counter(pick_agency(PROFILE, rng, registry, False).level for _ in range(6000))
    total = sum(PROFILE.level_weights.values())
    for level, weight in PROFILE.level_weights.items():
        assert levels[level] / 6000 == pytest.approx(weight / total, abs=0.03)


def test_classification_and_privacy_mix_within_tolerance() -> None:
    schedule = build_schedule(
        PROFILE, DeadlineStamper.load_default(), reports=1500, threads=3, seed=11
    )
    submitted = [
        p.step.submit() for lane in schedule.lanes() for p in lane if p.step.submit is not None
    ]
    kinds = Counter(r.classification.value for r in submitted)
    total = sum(PROFILE.classifications.values())
    for kind, weight in PROFILE.classifications.items():
        assert kinds[kind] / 1500 == pytest.approx(weight / total, abs=0.035)
    public = sum(r.privacy.value == "public" for r in submitted) / 1500
    assert public == pytest.approx(0.6 * 0.98, abs=0.04)


def test_same_seed_same_schedule_other_seed_other() -> None:
    stamper = DeadlineStamper.load_default()

    def plan(seed: int) -> list[tuple[object, object]]:
        s = build_schedule(PROFILE, stamper, reports=120, threads=2, seed=seed)
        return [(p.step.report_id, p.step.at) for lane in s.lanes() for p in lane]

    assert plan(4) == plan(4)
    assert plan(4) != plan(5)


def test_scaled_registry_reaches_national_size_by_level() -> None:
    registry = scaled_registry(PROFILE, AgencyRegistry.load_default(), 679)
    assert len(registry) == 679
    levels = Counter(a.level for a in registry.all())
    assert levels["regency"] > levels["city"] > levels["ministry"]

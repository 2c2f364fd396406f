"""The national load profile: agencies by level, mixes, a year's arrival curve with peaks."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import Any

from ledger.agencies.registry import Agency, AgencyRegistry
from ledger.demo_plans import TARGET_LEVELS, Mix
from ledger.sla.calendar import national_holidays

WIB = timedelta(hours=7)  # arrival hours are read on Jakarta time


@dataclass(frozen=True)
class Peak:
    """A stretch of days whose arrivals are `factor` times the ordinary curve."""

    start: date
    days: int
    factor: float

    def covers(self, day: date) -> bool:
        """Whether the day lies in the peak."""
        return self.start <= day < self.start + timedelta(days=self.days)


@dataclass(frozen=True)
class Profile:
    """A national profile as data; every draw from it is made with a caller's seeded RNG."""

    year: int
    reports_per_year: int
    level_weights: dict[str, float]
    national_agencies: dict[str, int]
    classifications: dict[str, float]
    privacy: dict[str, float]
    weekday: tuple[float, ...]
    hours: tuple[float, ...]
    lebaran: Peak
    disaster: Peak
    disaster_region: str
    chain: dict[int, float]
    follow_up_days: tuple[int, ...]


@dataclass(frozen=True)
class Arrival:
    """When one report arrives, and whether it belongs to the Lebaran week or the disaster."""

    at: datetime
    lebaran: bool
    disaster: bool


def idul_fitri(year: int) -> date:
    """The first day of Idul Fitri in the national holiday calendar."""
    days = [d for d, name in national_holidays(year).items() if name == "Hari Raya Idul Fitri"]
    if not days:
        raise ValueError(f"no Idul Fitri in the {year} calendar")
    return min(days)


def load_profile(path: str | Path | None = None) -> Profile:
    """The packaged national profile, or the JSON file at `path`."""
    if path is None:
        text = resources.files("ledger.load").joinpath("national.json").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    return profile_from(json.loads(text))


def profile_from(data: dict[str, Any]) -> Profile:
    """Build a profile from its JSON form (see national.json)."""
    year = int(data["year"])
    leb, dis = data["lebaran"], data["disaster"]
    lebaran_start = idul_fitri(year) - timedelta(days=int(leb["days_before"]))
    hours = tuple(float(h) for h in data["hours"])
    weekday = tuple(float(w) for w in data["weekday"])
    if len(hours) != 24 or len(weekday) != 7:
        raise ValueError("a profile needs 24 hour weights and 7 weekday weights")
    return Profile(
        year=year,
        reports_per_year=int(data["reports_per_year"]),
        level_weights={k: float(v) for k, v in data["level_weights"].items()},
        national_agencies={k: int(v) for k, v in data["national_agencies"].items()},
        classifications={k: float(v) for k, v in data["classifications"].items()},
        privacy={k: float(v) for k, v in data["privacy"].items()},
        weekday=weekday,
        hours=hours,
        lebaran=Peak(lebaran_start, int(leb["days"]), float(leb["factor"])),
        disaster=Peak(date.fromisoformat(dis["start"]), int(dis["days"]), float(dis["factor"])),
        disaster_region=str(dis["region"]),
        chain={int(k): float(v) for k, v in data["chain"].items()},
        follow_up_days=tuple(int(d) for d in data["follow_up_days"]),
    )


def year_days(profile: Profile) -> list[date]:
    """Every day of the profile's year."""
    first = date(profile.year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(profile.year + 1, 1, 1) - first).days)]


def ordinary_weight(profile: Profile, day: date) -> float:
    """A day's relative arrivals outside the disaster region (weekday, Lebaran week)."""
    factor = profile.lebaran.factor if profile.lebaran.covers(day) else 1.0
    return profile.weekday[day.weekday()] * factor


def disaster_weight(profile: Profile, day: date) -> float:
    """A day's extra arrivals from the disaster region (urgency disaster)."""
    if not profile.disaster.covers(day):
        return 0.0
    return profile.weekday[day.weekday()] * (profile.disaster.factor - 1.0)


def daily_curve(profile: Profile) -> list[tuple[date, float]]:
    """Expected reports per day over the year, scaled to `reports_per_year`."""
    days = year_days(profile)
    raw = [ordinary_weight(profile, d) + disaster_weight(profile, d) for d in days]
    scale = profile.reports_per_year / sum(raw)
    return [(d, w * scale) for d, w in zip(days, raw, strict=True)]


def draw_arrivals(profile: Profile, rng: random.Random, n: int) -> list[Arrival]:
    """`n` arrivals over the year following the curve, in time order (`arrival_stream`)."""
    return list(arrival_stream(profile, rng, n))


def arrival_stream(profile: Profile, rng: random.Random, n: int) -> Iterator[Arrival]:
    """`n` arrivals over the year following the curve, drawn one at a time in time order.

    They are `n` independent draws from the curve (the day by its weekday, Lebaran and
    disaster weight, the hour by the hour weights, the second uniformly) produced already
    sorted, so none is held: the ascending order statistics of `n` uniform numbers, each drawn
    as the least of those still to come, mapped through the curve's cumulative weight by hour
    of the year. Whether an arrival is a disaster report is drawn as it comes."""
    days = year_days(profile)
    ordinary = [ordinary_weight(profile, d) for d in days]
    extra = [disaster_weight(profile, d) for d in days]
    totals = [o + e for o, e in zip(ordinary, extra, strict=True)]
    segments = [
        (i, h, totals[i] * w)
        for i in range(len(days))
        for h, w in enumerate(profile.hours)
        if totals[i] * w > 0
    ]
    if not segments:
        raise ValueError("the profile's curve has no weight")
    cum = list(accumulate(w for _, _, w in segments))
    j, u = 0, 0.0
    for k in range(n):
        # the least of the n - k uniform numbers still to come, on [u, 1)
        u += (1.0 - u) * -math.expm1(math.log(1.0 - rng.random()) / (n - k))
        target = u * cum[-1]
        while j < len(segments) - 1 and cum[j] <= target:
            j += 1
        i, hour, weight = segments[j]
        into = min(1.0, max(0.0, (target - (cum[j] - weight)) / weight))
        disaster = rng.random() * totals[i] < extra[i]
        local = datetime(days[i].year, days[i].month, days[i].day, hour, tzinfo=UTC)
        at = local - WIB + timedelta(seconds=min(3599, int(into * 3600)))
        yield Arrival(at, profile.lebaran.covers(days[i]), disaster)


def mix_of(profile: Profile) -> Mix:
    """The plan proportions of the profile."""
    chain = tuple(k for k, w in sorted(profile.chain.items()) for _ in range(round(w)))
    return Mix(
        classifications=[(k, round(v)) for k, v in profile.classifications.items()],
        privacy=[(k, round(v)) for k, v in profile.privacy.items()],
        chain=chain,
        follow_up_days=profile.follow_up_days,
    )


def pick_agency(
    profile: Profile, rng: random.Random, registry: AgencyRegistry, disaster: bool
) -> Agency:
    """The agency a report is sent to: by level weight, or within the disaster region."""
    return agency_picker(profile, registry)(rng, disaster)


def agency_picker(
    profile: Profile, registry: AgencyRegistry
) -> Callable[[random.Random, bool], Agency]:
    """`pick_agency` with the targets and their weights worked out once (the same draws)."""
    where = profile.disaster_region
    region = (  # an unknown region fails at the first disaster report, as before
        [a for a in (registry.get(where), *registry.descendants(where)) if a.level in TARGET_LEVELS]
        if where in registry
        else None
    )
    targets = [a for a in registry.all() if a.level in TARGET_LEVELS]
    per_level = Counter(a.level for a in targets)  # the weight is the level's share
    weights = [profile.level_weights.get(a.level, 0.0) / per_level[a.level] for a in targets]
    cum = list(accumulate(weights))

    def pick(rng: random.Random, disaster: bool) -> Agency:
        if disaster:
            return rng.choice(region if region is not None else [registry.get(where)])
        return rng.choices(targets, cum_weights=cum)[0]

    return pick


def scaled_registry(profile: Profile, registry: AgencyRegistry, total: int) -> AgencyRegistry:
    """The registry plus synthetic agencies, copies of real ones by level, up to `total`."""
    have = list(registry.all())
    missing = max(0, total - len(have))
    counts = profile.national_agencies
    levels = rng_free_spread(counts, missing)
    added = []
    for level, n in levels.items():
        templates = [a for a in have if a.level == level]
        for i in range(n):
            t = templates[i % len(templates)]
            added.append(replace(t, id=f"{t.id}-s{i:04d}", name=f"{t.name} (sintetis {i})"))
    return AgencyRegistry([*have, *added])


def rng_free_spread(weights: dict[str, int], n: int) -> dict[str, int]:
    """Split `n` over the keys in proportion to their weights, deterministically."""
    total = sum(weights.values())
    out = {k: n * w // total for k, w in weights.items()}
    for k in sorted(weights, key=lambda k: -weights[k])[: n - sum(out.values())]:
        out[k] += 1
    return out

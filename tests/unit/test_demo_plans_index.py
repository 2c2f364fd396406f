"""A plan drawn from a `Catalogue` is the plan drawn by scanning the agency list per report."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from ledger.agencies.registry import Agency
from ledger.deadlines import DeadlineStamper
from ledger.demo_plans import DEMO_MIX, TARGET_LEVELS, Catalogue, Step, plan_report
from ledger.domain import Report
from ledger.load.profile import agency_picker, load_profile, mix_of, scaled_registry
from ledger.load.schedule import Planner

PROFILE = load_profile()
DEFAULT = DeadlineStamper.load_default()
NATIONAL = DeadlineStamper(
    scaled_registry(PROFILE, DEFAULT.registry, 679), DEFAULT.book, DEFAULT.overrides
)
BEGIN = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
REPORTS = 300


@dataclass(frozen=True)
class Scans(Catalogue):
    """The lists as `plan_report` worked them out for every report before the catalogue:
    a scan of the plain agency list each time."""

    agencies: tuple[Agency, ...] = ()

    @classmethod
    def over(cls, agencies: Sequence[Agency]) -> Scans:
        targets = [a for a in agencies if a.level in TARGET_LEVELS]
        return cls(tuple(targets), {}, {}, agencies=tuple(agencies))

    def units_of(self, agency: Agency) -> Sequence[Agency]:
        return [a for a in self.agencies if a.parent == agency.id and a.level == "unit"]

    def targets_but(self, agency: Agency) -> Sequence[Agency]:
        return [a for a in self.targets if a.id != agency.id]


def listed(stamper: DeadlineStamper) -> list[Agency]:
    return [a for a in stamper.registry.all() if a.level != "national"]


def demo_plans(stamper: DeadlineStamper, agencies: Catalogue | Sequence[Agency]) -> list[Step]:
    """The demo's way: default mix, the target drawn by the plan."""
    steps: list[Step] = []
    for n in range(REPORTS):
        rng = random.Random(f"1708:{n}")
        submitted = BEGIN + timedelta(seconds=rng.randrange(120 * 86400))
        steps.extend(plan_report(rng, stamper, agencies, submitted, mix=DEMO_MIX))
    return steps


def load_plans(stamper: DeadlineStamper, agencies: Catalogue | Sequence[Agency]) -> list[Step]:
    """The load generator's way: the profile's mix, the target picked by level weight or in
    the disaster region."""
    pick = agency_picker(PROFILE, stamper.registry)
    mix = mix_of(PROFILE)
    steps: list[Step] = []
    for n in range(REPORTS):
        rng = random.Random(f"1708:{n}")
        disaster = n % 40 == 0
        target = pick(rng, disaster)
        submitted = BEGIN + timedelta(hours=n)
        steps.extend(
            plan_report(
                rng, stamper, agencies, submitted, mix=mix, target=target, disaster=disaster
            )
        )
    return steps


def played(steps: list[Step]) -> list[tuple[Any, ...]]:
    """Every step with the events it gives, each report played on a fresh aggregate."""
    reports: dict[UUID, Report] = {}
    out: list[tuple[Any, ...]] = []
    for step in sorted(steps, key=lambda s: (s.report_id, s.at)):  # stable within a report
        if step.submit is not None:
            report = reports[step.report_id] = step.submit()
        else:
            report = reports[step.report_id]
            assert step.command is not None
            step.command(report, step.at)
        events = [
            (type(e).__name__, {k: v for k, v in vars(e).items() if k != "timestamp"})
            for e in report.collect_events()
        ]
        out.append((step.report_id, step.at, step.submit is None, step.erases, events))
    return out


@pytest.mark.parametrize("stamper", [DEFAULT, NATIONAL], ids=["default", "679"])
@pytest.mark.parametrize("plans", [demo_plans, load_plans], ids=["demo", "load"])
def test_the_catalogue_plans_as_the_scans_did(stamper: DeadlineStamper, plans: Any) -> None:
    agencies = listed(stamper)
    old = plans(stamper, Scans.over(agencies))
    new = plans(stamper, Catalogue.of(agencies))
    assert len(old) == len(new) > REPORTS
    assert played(new) == played(old)
    events = [event for *_, step_events in played(new) for event in step_events]
    assert any(name == "ReturnedNotAuthority" for name, _ in events)  # chains were drawn
    assert any(fields.get("unit_id") for _, fields in events)  # so were units


def test_a_plain_list_plans_as_its_catalogue() -> None:
    agencies = listed(NATIONAL)
    assert played(demo_plans(NATIONAL, agencies)) == played(
        demo_plans(NATIONAL, Catalogue.of(agencies))
    )


def test_a_list_naming_an_agency_twice_is_refused() -> None:
    """No registry names an agency twice (`AgencyRegistry` refuses it); nor does a catalogue."""
    agencies = listed(DEFAULT)
    target = next(a for a in agencies if a.level in TARGET_LEVELS)
    with pytest.raises(ValueError, match="unique"):
        Catalogue.of([*agencies, replace(target, name="Salinan")])


def test_all_but_one_reads_like_the_list_without_it() -> None:
    targets = Catalogue.of(listed(DEFAULT)).targets
    catalogue = Catalogue.of(listed(DEFAULT))
    for skip in (0, 1, len(targets) // 2, len(targets) - 1):
        view = catalogue.targets_but(targets[skip])
        rest = [t for t in targets if t.id != targets[skip].id]
        assert len(view) == len(rest)
        assert [view[i] for i in range(len(view))] == rest
        with pytest.raises(IndexError):
            view[len(rest)]
        assert [random.Random(s).choice(view) for s in range(50)] == [
            random.Random(s).choice(rest) for s in range(50)
        ]


SLA_FIELDS = frozenset({"deadlines", "sla_policy", "sla_policy_version", "objection_deadline"})


def fingerprint(steps: list[Step]) -> str:
    """Every step and its events, but for what the SLA data decides (it may change)."""
    digest = hashlib.sha256()
    for report_id, at, _, erases, events in played(steps):
        digest.update(repr((str(report_id), at.isoformat(), erases)).encode())
        for name, fields in events:
            kept = sorted((k, repr(v)) for k, v in fields.items() if k not in SLA_FIELDS)
            digest.update(repr((name, kept)).encode())
    return digest.hexdigest()


PINNED = {  # taken from the implementation that scanned the agency list for every report
    ("demo", "default"): "a2287c25d97a9bd31ea3155f1c24ad82a710b2ef31044cab8a2634831713a9f0",
    ("load", "default"): "a6c3dc6b644515821b478bd06655fbb7d893a971829d4fb06a57cfe970824863",
    ("demo", "679"): "713065f6a1e311710db918df6e854fbbb7191470aad962f66aeaa453d1895c89",
    ("load", "679"): "d029ca40ed80e25bf7c31a1e4af0bb26c985dfea51ac26274a0d1f883810e3b3",
}


@pytest.mark.parametrize("stamper", [DEFAULT, NATIONAL], ids=["default", "679"])
@pytest.mark.parametrize("plans", [demo_plans, load_plans], ids=["demo", "load"])
def test_the_plans_are_those_planned_before_the_catalogue(
    stamper: DeadlineStamper, plans: Any
) -> None:
    size = "default" if stamper is DEFAULT else "679"
    kind = plans.__name__.removesuffix("_plans")
    assert fingerprint(plans(stamper, Catalogue.of(listed(stamper)))) == PINNED[(kind, size)]


def test_the_load_planner_plans_from_a_catalogue() -> None:
    planner = Planner(PROFILE, NATIONAL, 10, 1708)
    assert planner.catalogue == Catalogue.of(listed(NATIONAL))

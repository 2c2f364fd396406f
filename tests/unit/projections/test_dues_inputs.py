"""A rebuild computes a report's dues again only after an event that sets one of their inputs
(`Dues.INPUTS`): the dues must read no other field of the record."""

from __future__ import annotations

from typing import Any

from projections.catalogue import default_stamper
from projections.dues import Dues
from projections.rules.record import ClockRecord
from tests.unit.projections.histories import LIAISON, NATIONAL, T0, D, H, History

DERIVED = {"intake_agency": {"intake_agency_id", "target_agency_id"}}  # properties: what they read


class Reading:
    """A record that remembers which of its fields were read."""

    def __init__(self, record: ClockRecord) -> None:
        self._record = record
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.read |= DERIVED.get(name, {name})
        return getattr(self._record, name)


def stages() -> list[ClockRecord]:
    h = History(target="kota-serang")
    records = [h.record()]
    h.do("put_on_hold", NATIONAL, T0 + H, reason="r", question="q")
    records.append(h.record())
    h.verify(T0 + 2 * H, due=T0 + 3 * D)
    records.append(h.record())
    h.disposition(T0 + 3 * H, "kota-serang", first_follow_up=T0 + 5 * D, completion=T0 + 20 * D)
    records.append(h.record())
    h.do("follow_up", LIAISON, T0 + 4 * D, message="ditinjau")
    records.append(h.record())
    return records


def test_the_dues_read_only_their_inputs() -> None:
    dues = Dues(default_stamper())
    read: set[str] = set()
    for record in stages():
        for due in (dues.expected_verification, dues.auto_close):
            reading = Reading(record)
            due(reading)  # type: ignore[arg-type]
            read |= reading.read
    assert {"submitted_at", "last_follow_up_at", "hold_started_at"} <= read  # read at all
    assert read <= Dues.INPUTS, f"read but not named as an input: {read - Dues.INPUTS}"

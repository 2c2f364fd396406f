"""`fold._involve` (an agency's part in a report, changed by a disposition or a return) gives
exactly what the way it was first written gives: `dataclasses.replace` on the agency's own
involvement (or a new one), the others kept, all sorted by agency."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.rules.fold import _involve
from projections.rules.record import ClockRecord, Involvement


def reference(r: ClockRecord, agency: str, **changes: Any) -> tuple[Involvement, ...]:
    current = next((i for i in r.involvements if i.agency_id == agency), Involvement(agency))
    updated = dataclasses.replace(current, **changes)
    others = tuple(i for i in r.involvements if i.agency_id != agency)
    return tuple(sorted((*others, updated), key=lambda i: i.agency_id))


AGENCIES = st.sampled_from(["kab-serang", "kota-serang", "prov-banten", "kemenkes", "a", "Z"])
T = datetime(2026, 1, 5, tzinfo=UTC)


@st.composite
def records(draw: st.DrawFn) -> ClockRecord:
    agencies = draw(st.lists(AGENCIES, unique=True, max_size=4))
    involvements = tuple(
        Involvement(a, draw(st.integers(0, 3)), draw(st.booleans()), draw(st.booleans()))
        for a in agencies
    )
    return ClockRecord(
        "r",
        2,
        "pengaduan",
        "public",
        "normal",
        T,
        "in_process",
        T,
        T,
        None,
        involvements=involvements,
    )


CHANGES = st.one_of(
    st.builds(lambda again: {"redisposition": again, "returned": False}, st.booleans()),
    st.builds(lambda n: {"returns": n, "returned": True}, st.integers(1, 5)),
)


@settings(max_examples=400, deadline=None, database=None)
@given(records(), AGENCIES, CHANGES)
def test_involve_gives_what_replace_gave(
    r: ClockRecord, agency: str, changes: dict[str, Any]
) -> None:
    got = _involve(r, agency, **changes)
    assert got == reference(r, agency, **changes)
    assert all(type(i) is Involvement for i in got)

"""Each clock's start, due time, stop and outcome, as docs/projections.md defines them."""

from __future__ import annotations

from datetime import timedelta

from ledger.domain import Actor, Role
from projections.rules.clocks import ClockState, clocks_of, status_at, verification_hold
from tests.unit.projections.histories import (
    LIAISON,
    NATIONAL,
    REPORTER,
    SERANG,
    SYSTEM,
    T0,
    D,
    H,
    History,
)

US = timedelta(microseconds=1)


def clocks(h: History, **dues: object) -> dict[str, ClockState]:
    return {c.clock: c for c in clocks_of(h.record(), **dues)}  # type: ignore[arg-type]


def handled(**deadlines: object) -> History:
    """Verified with a 3-day due, dispositioned to Kota Serang with the given deadlines."""
    h = History().verify(T0 + H, due=T0 + 3 * D)
    return h.disposition(T0 + 2 * H, "kota-serang", **deadlines)  # type: ignore[arg-type]


def test_status_boundaries_follow_the_deadline_convention() -> None:
    c = ClockState("first_follow_up", "a", T0, T0 + D, None, None, True)
    assert status_at(c, T0 + D) == "running"  # met at or before the due instant
    assert status_at(c, T0 + D + US) == "overdue"
    assert status_at(ClockState("verification", "a", T0, None, None, None, False), T0) == "paused"


def test_verification_stops_at_the_disposition_and_a_return_reopens_it() -> None:
    h = History().verify(T0 + H, due=T0 + 3 * D)
    open_ = clocks(h)["verification"]
    assert (open_.outcome, open_.stamped, open_.agency_id) == (None, True, "kemenpanrb")
    h.disposition(T0 + 2 * H, "kota-serang")
    assert clocks(h)["verification"].outcome == "met"
    h.do("return_not_authority", SERANG, T0 + 4 * D, reason="bukan wewenang")
    reopened = clocks(h)["verification"]
    assert reopened.outcome is None and status_at(reopened, T0 + 4 * D) == "overdue"
    h.disposition(T0 + 5 * D, "kab-tangerang")
    assert clocks(h)["verification"].outcome == "late"


def test_unverified_clock_uses_the_computed_due_and_pauses_on_hold() -> None:
    h = History()
    c = clocks(h, expected_verification_due=T0 + 3 * D)["verification"]
    assert (c.due_at, c.stamped) == (T0 + 3 * D, False)
    assert verification_hold(h.record()) is None
    h.do("put_on_hold", NATIONAL, T0 + H, reason="r", question="q")
    assert verification_hold(h.record()) == (T0 + H, None)  # paused
    h.do("respond", REPORTER, T0 + 5 * D, message="ini")
    h.do("respond", REPORTER, T0 + 6 * D, message="lagi")  # the first answer ended the hold
    assert verification_hold(h.record()) == (T0 + H, T0 + 5 * D)
    h.do("archive", NATIONAL, T0 + 6 * D, reason="duplicate")
    assert clocks(h)["verification"].outcome == "void"
    assert set(clocks(h)) == {"verification"}


def test_first_follow_up_and_completion() -> None:
    h = handled(first_follow_up=T0 + 7 * D, completion=T0 + 9 * D)
    assert {c.outcome for c in clocks(h).values()} == {"met", None}
    h.do("follow_up", LIAISON, T0 + 8 * D, message="ditinjau")
    c = clocks(h, auto_close_due=T0 + 20 * D)
    assert (c["first_follow_up"].outcome, c["first_follow_up"].stopped_at) == ("late", T0 + 8 * D)
    assert c["completion"].outcome is None and c["auto_close"].due_at == T0 + 20 * D
    h.do("complete", LIAISON, T0 + 9 * D, summary="selesai", objection_deadline=T0 + 20 * D)
    c = clocks(h)
    assert (c["completion"].outcome, c["auto_close"].outcome) == ("met", "void")
    h.do("reopen", REPORTER, T0 + 10 * D, objection="belum")
    assert clocks(h)["completion"].outcome is None  # open again, past due
    h.do("follow_up", LIAISON, T0 + 11 * D, message="lagi")
    h.do("complete", SYSTEM, T0 + 25 * D, summary="auto", objection_deadline=T0 + 40 * D, auto=True)
    c = clocks(h)
    assert (c["completion"].outcome, c["auto_close"].outcome) == ("late", "fired")


def test_information_request_answer_and_extension() -> None:
    h = handled(kip_answer=T0 + 14 * D)
    assert set(clocks(h)) == {"verification", "kip_answer"}
    h.do("follow_up", LIAISON, T0 + 15 * D, message="jawaban")
    assert clocks(h)["kip_answer"].outcome == "late"
    extended = handled(kip_answer=T0 + 14 * D, kip_extension=T0 + 23 * D)
    extended.do("follow_up", LIAISON, T0 + 15 * D, message="jawaban")
    c = clocks(extended)
    assert (c["kip_answer"].outcome, c["kip_extension"].outcome) == ("void", "met")
    assert c["kip_extension"].started_at == T0 + 14 * D


def test_an_extension_stamped_by_its_event_is_judged_and_a_new_agency_starts_without_it() -> None:
    serang = Actor("liaison.kota-serang", Role.LIAISON, "kota-serang")
    h = History("permintaan_informasi").verify(T0 + H)
    h.disposition(T0 + 2 * H, "kota-serang", kip_answer=T0 + 14 * D)
    h.do("extend_answer_deadline", serang, T0 + 13 * D, reason="r", extended_due=T0 + 23 * D)
    assert h.record().deadlines["kip_extension"] == T0 + 23 * D
    late = clocks(h)
    assert (late["kip_answer"].outcome, late["kip_extension"].due_at) == ("void", T0 + 23 * D)
    h.do("return_not_authority", SERANG, T0 + 13 * D + H, reason="bukan wewenang")
    h.disposition(T0 + 14 * D, "kab-tangerang", kip_answer=T0 + 28 * D)
    assert "kip_extension" not in h.record().deadlines
    assert set(clocks(h)) == {"verification", "kip_answer"}


def test_escalation_stops_running_clocks() -> None:
    h = handled(first_follow_up=T0 + 7 * D, completion=T0 + 30 * D)
    h.do("escalate", REPORTER, T0 + 8 * D, reason="tidak ada tindak lanjut")
    c = clocks(h)
    assert (c["verification"].outcome, c["first_follow_up"].outcome) == ("met", "late")
    assert (c["completion"].outcome, c["completion"].stopped_at) == ("void", T0 + 8 * D)

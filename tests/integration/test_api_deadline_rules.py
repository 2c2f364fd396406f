"""The KIP answer extension and the hold pause through the HTTP API, on SQLite and PostgreSQL.

The use cases' clock is set to hand-picked business times (2026; the dates are worked out in
tests/unit/sla/test_hold_and_extension.py), so the stamped deadlines can be compared exactly.
The SLA view (`/v1/reports/{id}/sla`) is read after the projections catch up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.api_support import Api, ApiBackend, OnPostgres, OnSQLite, holder_of

WIB = ZoneInfo("Asia/Jakarta")
ANSWER_DUE = "2026-03-25T16:59:59.999999+00:00"  # 10 WD after Wed 4 Mar, across Nyepi and Lebaran
EXTENDED_DUE = "2026-04-06T16:59:59.999999+00:00"  # 7 WD later, across Good Friday
VERIFICATION_DUE = "2026-03-05T16:59:59.999999+00:00"  # 3 WD after Mon 2 Mar
REASON = {"reason": "Dokumen berada di tiga bidang dan perlu dihimpun"}


class Clock:
    """A settable business clock for the use cases."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, tzinfo=WIB)

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


@pytest.fixture
def clock(api: Api) -> Clock:
    c = Clock()
    api.usecases.reports.clock = c
    api.usecases.actions.clock = c
    return c


def at(clock: Clock, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
    clock.now = datetime(year, month, day, hour, minute, tzinfo=WIB)


def deadlines(api: Api, token: str, rid: str) -> dict[str, str]:
    response = api.read(token, rid)
    assert response.status_code == 200, response.json
    return dict(response.json["header"]["deadlines"])


def sla(api: Api, token: str, rid: str) -> dict[str, dict[str, Any]]:
    holder = holder_of(api.app)
    assert [r.failure for r in holder.projections.catch_up(batch_size=500)] == [None, None]
    response = api.client.get(f"/v1/reports/{rid}/sla", headers=api.headers(token))
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json or {}
    return {c["clock"]: c for c in body["clocks"]}


def information_request(api: Api, clock: Clock, admin: str) -> str:
    at(clock, 2026, 3, 2, 9)
    rid = str(
        api.submit(classification="permintaan_informasi", target_agency_id="kota-serang")[
            "report_id"
        ]
    )
    at(clock, 2026, 3, 3, 9)
    api.ok(admin, rid, "verify", {"handling_class": "info_aspiration"})
    at(clock, 2026, 3, 4, 10)
    api.ok(admin, rid, "disposition", {"agency_id": "kota-serang"})
    return rid


class DeadlineRulesBehaviour(ApiBackend):
    def test_the_answer_deadline_is_extended_once_by_seven_working_days(
        self, api: Api, clock: Clock
    ) -> None:
        admin, ppid = api.token("admin_agency", "kota-serang"), api.token("liaison", "kota-serang")
        rid = information_request(api, clock, admin)
        assert deadlines(api, ppid, rid) == {
            "verification": VERIFICATION_DUE,
            "kip_answer": ANSWER_DUE,
        }
        at(clock, 2026, 3, 25, 23)  # the last evening of the original deadline
        api.ok(ppid, rid, "extend_answer_deadline", REASON)
        assert deadlines(api, ppid, rid) == {
            "verification": VERIFICATION_DUE,
            "kip_answer": ANSWER_DUE,
            "kip_extension": EXTENDED_DUE,
        }
        size = api.tree_size()
        again = api.act(admin, rid, "extend_answer_deadline", REASON)
        assert (again.status_code, again.json["type"].rsplit("/", 1)[-1]) == (
            409,
            "illegal-transition",
        )
        assert api.tree_size() == size
        at(clock, 2026, 4, 6, 15)
        api.ok(ppid, rid, "follow_up", {"message": "Salinan terlampir"})
        clocks = sla(api, ppid, rid)
        assert clocks["kip_answer"]["outcome"] == "void"  # superseded by the extension
        extension = clocks["kip_extension"]
        assert (extension["outcome"], extension["started_at"]) == (
            "met",
            "2026-03-25T16:59:59.999999+00:00",
        )

    def test_illegal_extensions_write_nothing(self, api: Api, clock: Clock) -> None:
        admin, ppid = api.token("admin_agency", "kota-serang"), api.token("liaison", "kota-serang")
        late = information_request(api, clock, admin)
        at(clock, 2026, 3, 26, 0, 30)  # half an hour after the original deadline
        complaint = str(api.submit(target_agency_id="kota-serang")["report_id"])
        api.ok(admin, complaint, "verify", {"handling_class": "ringan"})
        api.ok(admin, complaint, "disposition", {"agency_id": "kota-serang"})
        size = api.tree_size()
        cases = [
            (late, REASON, 422, "invalid-command"),
            (complaint, REASON, 422, "invalid-command"),
            (late, {}, 422, None),  # the reason is required
            (late, {"reason": ""}, 422, None),
        ]
        for rid, body, status, kind in cases:
            response = api.act(ppid, rid, "extend_answer_deadline", body)
            assert response.status_code == status, (rid, body, response.json)
            if kind is not None:
                assert response.json["type"].endswith(kind)
        assert api.tree_size() == size

    def test_the_verification_due_moves_by_the_working_days_on_hold(
        self, api: Api, clock: Clock
    ) -> None:
        admin = api.token("admin_agency", "kota-serang")
        at(clock, 2026, 2, 12, 10)
        rid = str(api.submit(target_agency_id="kota-serang")["report_id"])
        assert sla(api, admin, rid)["verification"]["due_at"] == "2026-02-19T16:59:59.999999+00:00"
        at(clock, 2026, 2, 13, 14)
        api.ok(admin, rid, "put_on_hold", {"reason": "kurang", "question": "Di mana?"})
        paused = sla(api, admin, rid)["verification"]
        assert (paused["due_at"], paused["status"]) == (None, "paused")
        at(clock, 2026, 2, 18, 9)
        api.ok(api.token("reporter"), rid, "respond", {"message": "Jl. Veteran"})
        moved = "2026-02-20T16:59:59.999999+00:00"  # one WD on hold: Wed 18 Feb
        assert sla(api, admin, rid)["verification"]["due_at"] == moved
        at(clock, 2026, 2, 19, 9)
        api.ok(admin, rid, "verify", {"handling_class": "ringan"})
        assert deadlines(api, admin, rid) == {"verification": moved}
        stamped = sla(api, admin, rid)["verification"]
        assert (stamped["due_at"], stamped["stamped"]) == (moved, True)


class TestDeadlineRulesSQLite(OnSQLite, DeadlineRulesBehaviour):
    pass


@pytest.mark.postgres
class TestDeadlineRulesPostgres(OnPostgres, DeadlineRulesBehaviour):
    pass

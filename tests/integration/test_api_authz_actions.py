"""Authorization matrix, actions: every role against every lifecycle action.

Allowed roles succeed on a report in the right state; every other role is refused (401
anonymous, 404 when the report is outside its view, 403 otherwise) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from api.schemas.actions import ACTIONS
from tests.integration.api_matrix import PRINCIPALS, Cast, issue_tokens
from tests.integration.api_support import Api, ApiBackend, OnPostgres, OnSQLite

BEFORE_DISPOSITION = {"admin_national", "ombudsman", "kid", "admin_serang"}
AFTER_DISPOSITION = BEFORE_DISPOSITION | {"admin_banten_hub", "liaison_serang", "apip_serang"}

HOLD = {"reason": "kurang", "question": "Lokasi?"}

# action -> (state to prepare, body, roles allowed)
CASES: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "put_on_hold": ("submitted", HOLD, {"admin_national", "admin_serang"}),
    "archive": ("submitted", {"reason": "duplicate"}, {"admin_national", "admin_serang"}),
    "verify": ("submitted", {"handling_class": "ringan"}, {"admin_national", "admin_serang"}),
    "disposition": ("verified", {"agency_id": "kota-serang"}, {"admin_national", "admin_serang"}),
    "return_not_authority": ("dispositioned", {"reason": "bukan wewenang"}, {"admin_serang"}),
    "follow_up": ("dispositioned", {"message": "ditinjau"}, {"liaison_serang"}),
    "request_clarification": ("dispositioned", {"question": "Foto?"}, {"liaison_serang"}),
    "respond": ("awaiting_reporter", {"message": "Foto terlampir"}, {"reporter"}),
    "extend_answer_deadline": (
        "info_dispositioned",
        {"reason": "dokumen tersebar"},
        {"admin_serang", "liaison_serang"},
    ),
    "complete": ("in_follow_up", {"summary": "selesai"}, {"liaison_serang"}),
    "reopen": ("completed", {"objection": "belum diperbaiki"}, {"reporter"}),
    "escalate": ("dispositioned", {"reason": "lambat"}, {"reporter", "ombudsman", "kid"}),
    "annotate": ("dispositioned", {"note": "diperiksa"}, {"ombudsman", "kid"}),
    "add_investigation_note": ("wbs", {"note": "klarifikasi"}, {"apip_serang"}),
    "erase": ("dispositioned", {"legal_basis": "UU 27/2022 pasal 8"}, {"admin_national"}),
}


STEPS = {
    "submitted": 0,
    "verified": 1,
    "dispositioned": 2,
    "wbs": 2,
    "info_dispositioned": 2,
    "in_follow_up": 3,
    "awaiting_reporter": 3,
    "completed": 4,
}


def preparer(api: Api, cast: Cast) -> Callable[[str], str]:
    """Bring a new report addressed to Kota Serang into a named state; returns its id."""
    admin, liaison = cast.tokens["admin_national"], cast.tokens["liaison_serang"]

    def prepare(state: str) -> str:
        kind = {
            "wbs": {"classification": "wbs", "privacy": "rahasia"},
            "info_dispositioned": {"classification": "permintaan_informasi"},
        }.get(state, {})
        rid = str(api.submit(target_agency_id="kota-serang", **kind)["report_id"])
        steps: list[tuple[str | None, str, dict[str, Any]]] = [
            (admin, "verify", {"handling_class": "ringan"}),
            (admin, "disposition", {"agency_id": "kota-serang"}),
            (liaison, "follow_up", {"message": "ditinjau"}),
            (liaison, "complete", {"summary": "selesai"}),
        ]
        if state == "awaiting_reporter":
            steps[2] = (liaison, "request_clarification", {"question": "Foto?"})
        for token, action, body in steps[: STEPS[state]]:
            api.ok(token, rid, action, body)
        return rid

    return prepare


def test_the_matrix_covers_every_action() -> None:
    assert set(CASES) == set(ACTIONS)


class AuthzActionsBehaviour(ApiBackend):
    def test_every_role_against_every_action(self, api: Api) -> None:
        cast = issue_tokens(api)
        prepare = preparer(api, cast)
        for action, (state, body, allowed) in CASES.items():
            shared = prepare(state)
            readers = (
                BEFORE_DISPOSITION if state in ("submitted", "verified") else AFTER_DISPOSITION
            )
            for principal in PRINCIPALS:
                if principal in allowed:
                    response = api.act(cast.tokens[principal], prepare(state), action, body)
                    assert response.status_code == 201, (action, principal, response.json)
                    continue
                size = api.tree_size()
                response = api.act(cast.tokens[principal], shared, action, body)
                want = 401 if principal == "anonymous" else 403 if principal in readers else 404
                assert response.status_code == want, (action, principal, response.json)
                assert response.mimetype == "application/problem+json"
                assert api.tree_size() == size, (action, principal, "wrote something")

    def test_agency_admin_dispositions_only_within_its_agency(self, api: Api) -> None:
        cast = issue_tokens(api)
        rid = preparer(api, cast)("verified")
        admin = cast.tokens["admin_serang"]
        elsewhere = api.act(admin, rid, "disposition", {"agency_id": "kab-sleman"})
        assert elsewhere.status_code == 403
        api.ok(admin, rid, "disposition", {"agency_id": "kota-serang"})
        to_unit = {"agency_id": "kota-serang", "unit_id": "kota-serang.dinkes"}
        api.ok(admin, rid, "disposition", to_unit)
        unit_liaison = api.token("liaison", "kota-serang.dinkes")
        api.ok(unit_liaison, rid, "follow_up", {"message": "Dinkes menindaklanjuti"})
        other_unit = api.token("liaison", "kota-serang.dpupr")
        assert api.act(other_unit, rid, "follow_up", {"message": "x"}).status_code == 404


class TestAuthzActionsSQLite(OnSQLite, AuthzActionsBehaviour):
    pass


@pytest.mark.postgres
class TestAuthzActionsPostgres(OnPostgres, AuthzActionsBehaviour):
    pass

"""Authorization matrix, reads: every role against every report, with and without a purpose.

No sealed plaintext reaches a response unless the disclosure table grants it, and every
granted disclosure is in the report's history as an access event.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.integration.api_matrix import (
    CONTENT,
    IDENTITY,
    NOTES,
    PRINCIPALS,
    REPORTS,
    Cast,
    all_markers,
    dispositioned,
    issue_tokens,
    marker,
)
from tests.integration.api_support import Api, ApiBackend, OnPostgres, OnSQLite

SERANG = {"public", "anonim", "wbs", "info"}
EVERY = set(REPORTS)
READS: dict[str, set[str]] = {
    "anonymous": set(),
    "reporter": set(),
    "witness": set(),
    "admin_national": EVERY,
    "ombudsman": EVERY,
    "kid": EVERY,
    "admin_serang": SERANG,
    "liaison_serang": SERANG,
    "apip_serang": SERANG,
    "admin_banten_hub": SERANG,
    "admin_sleman": {"sleman"},
    "liaison_sleman": {"sleman"},
    "apip_sleman": {"sleman"},
}
HANDLING_SERANG = {
    "public": CONTENT | IDENTITY,
    "anonim": CONTENT,
    "info": CONTENT | IDENTITY,
}
# (principal, purpose) -> report -> sealed fields shown; a readable report missing here is 403.
DISCLOSES: dict[tuple[str, str], dict[str, frozenset[str]]] = {
    ("admin_national", "handling"): {**HANDLING_SERANG, "sleman": CONTENT | IDENTITY},
    ("admin_serang", "handling"): HANDLING_SERANG,
    ("liaison_serang", "handling"): HANDLING_SERANG,
    ("admin_sleman", "handling"): {"sleman": CONTENT | IDENTITY},
    ("liaison_sleman", "handling"): {"sleman": CONTENT | IDENTITY},
    ("admin_banten_hub", "handling"): {},
    ("ombudsman", "audit"): {k: CONTENT for k in ("public", "anonim", "info", "sleman")},
    ("ombudsman", "handling"): {},
    ("kid", "audit"): {"info": CONTENT},
    ("apip_serang", "investigation"): {"wbs": CONTENT | IDENTITY | NOTES},
    ("apip_serang", "handling"): {},
    ("apip_sleman", "investigation"): {},
    ("witness", "audit"): {},
    ("reporter", "handling"): {},
}


def expected_status(principal: str, report: str, granted: bool | None) -> int:
    if principal == "anonymous":
        return 401
    if report not in READS[principal]:
        return 404
    return 200 if granted is not False else 403


class AuthzReadsBehaviour(ApiBackend):
    @pytest.fixture
    def cast(self, api: Api) -> Cast:
        cast = issue_tokens(api)
        for key in REPORTS:
            cast.reports[key] = dispositioned(api, cast, key)
        return cast

    def test_headers_only_without_a_purpose(self, api: Api, cast: Cast) -> None:
        secrets = all_markers()
        for principal in PRINCIPALS:
            for key, rid in cast.reports.items():
                for response in (
                    api.read(cast.tokens[principal], rid),
                    api.history(cast.tokens[principal], rid),
                ):
                    want = expected_status(principal, key, None)
                    assert response.status_code == want, (principal, key, response.json)
                    text = response.get_data(as_text=True)
                    assert not [s for s in secrets if s in text], (principal, key)

    def test_sealed_content_only_as_the_table_grants_and_every_disclosure_recorded(
        self, api: Api, cast: Cast
    ) -> None:
        secrets = all_markers()
        disclosed: Counter[tuple[str | None, str, tuple[str, ...], str]] = Counter()
        for (principal, purpose), grants in DISCLOSES.items():
            for key, rid in cast.reports.items():
                granted = grants.get(key)
                response = api.history(cast.tokens[principal], rid, purpose)
                want = expected_status(principal, key, granted is not None)
                assert response.status_code == want, (principal, purpose, key, response.json)
                text = response.get_data(as_text=True)
                shown = {s for s in secrets if s in text}
                allowed = {marker(f, key) for f in granted or ()} & secrets
                present = {m for m in allowed if m.endswith(key.upper())}
                assert shown <= allowed, (principal, purpose, key, shown - allowed)
                assert shown == present, (principal, purpose, key, present - shown)
                if granted:
                    fields = tuple(sorted(f for f in granted if marker(f, key) in shown))
                    disclosed[(cast.token_id(principal), key, fields, purpose)] += 1
        recorded: Counter[tuple[str | None, str, tuple[str, ...], str]] = Counter()
        for key, rid in cast.reports.items():
            for entry in api.history(cast.tokens["admin_national"], rid).json["entries"]:
                if entry["event_type"] == "DisclosureRecorded":
                    h = entry["header"]
                    recorded[(h["actor"]["id"], key, tuple(h["fields"]), h["purpose"])] += 1
        assert recorded == disclosed
        assert sum(disclosed.values()) == 18  # every grant of the table above was used

    def test_report_view_discloses_identity_only_where_allowed(self, api: Api, cast: Cast) -> None:
        for principal, key, shows_identity in (
            ("admin_serang", "public", True),
            ("admin_serang", "anonim", False),
            ("admin_national", "anonim", False),
            ("ombudsman", "public", False),
            ("apip_serang", "wbs", True),
        ):
            purpose = {"ombudsman": "audit", "apip_serang": "investigation"}.get(
                principal, "handling"
            )
            response = api.read(cast.tokens[principal], cast.reports[key], purpose)
            assert response.status_code == 200
            sealed = response.json["sealed"]
            assert sealed["body"] == marker("body", key)
            assert ("reporter" in sealed) is shows_identity
            assert (marker("reporter", key) in response.get_data(as_text=True)) is shows_identity

    def test_lists_are_scoped_and_carry_no_sealed_content(self, api: Api, cast: Cast) -> None:
        by_id = {rid: key for key, rid in cast.reports.items()}
        for principal, readable in READS.items():
            response = api.client.get("/v1/reports", headers=api.headers(cast.tokens[principal]))
            if principal == "anonymous":
                assert response.status_code == 401
                continue
            if not readable:
                assert response.status_code == 403, principal
                continue
            listed = {
                by_id[i["report_id"]] for i in response.json["items"] if i["report_id"] in by_id
            }
            assert listed == readable, principal
            assert not [s for s in all_markers() if s in response.get_data(as_text=True)]

    def test_unknown_purpose_is_refused(self, api: Api, cast: Cast) -> None:
        response = api.history(cast.tokens["admin_national"], cast.reports["public"], "curiosity")
        assert response.status_code == 422


class TestAuthzReadsSQLite(OnSQLite, AuthzReadsBehaviour):
    pass


@pytest.mark.postgres
class TestAuthzReadsPostgres(OnPostgres, AuthzReadsBehaviour):
    pass

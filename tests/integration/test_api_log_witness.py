"""POST /v1/log/cosignatures: valid, forged, unknown, wrong role, split view, going back."""

from __future__ import annotations

import base64
from typing import Any

from ledger.tlog.checkpoint import CheckpointBody
from ledger.tlog.keys import LogKeys
from tests.conftest import TEST_ORIGIN
from tests.integration.api_support import OnPostgres, OnSQLite, holder_of
from tests.integration.test_api_log_support import LogApi, LogBackend, assert_problem
from tests.integration.test_tlog_witness import Witness
from verify.note import parse_vkey, verify_note


def post(api: LogApi, token: str | None, note: str | bytes) -> Any:
    body = note.encode() if isinstance(note, str) else note
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return api.client.post("/v1/log/cosignatures", data=body, headers=headers)


def served(api: LogApi, size: int | None = None) -> str:
    path = "/v1/log/checkpoint" if size is None else f"/v1/log/checkpoints/{size}"
    return str(api.client.get(path).get_data(as_text=True))


def grow(api: LogApi, reports: int) -> str:
    for _ in range(reports):
        api.submit(api.token("reporter"))
    api.publish()
    return served(api)


class CosignatureBehaviour(LogBackend):
    def test_valid_cosignatures_witness_the_checkpoint(
        self, api: LogApi, ombudsman: Witness, kid: Witness
    ) -> None:
        witness = api.token("witness")
        note = grow(api, 2)
        text = note[: note.index("\n\n") + 1]
        answer = post(api, witness, note + ombudsman.line(text) + "\n")
        assert answer.status_code == 200, answer.json
        assert answer.json == {"tree_size": 2, "witness": ombudsman.name}
        assert api.client.get("/v1/log/checkpoint?witnessed=1").status_code == 404  # 1 of 2
        with_ombudsman = served(api)  # the served note now carries the cosignature
        cosigned = verify_note(with_ombudsman, [parse_vkey(ombudsman.vkey)])
        assert [s.name for s in cosigned.signatures] == [ombudsman.name]
        answer = post(api, witness, with_ombudsman + kid.line(text) + "\n")  # as `witness` posts
        assert answer.json == {"tree_size": 2, "witness": kid.name}
        witnessed = api.client.get("/v1/log/checkpoint?witnessed=1").get_data(as_text=True)
        keys = [parse_vkey(ombudsman.vkey), parse_vkey(kid.vkey)]
        assert len(verify_note(witnessed, keys).signatures) == 2

    def test_forged_unknown_and_unauthorised_cosignatures_are_refused(
        self, api: LogApi, ombudsman: Witness, kid: Witness
    ) -> None:
        witness, admin = api.token("witness"), api.token("admin_national", "kemenpanrb")
        note = grow(api, 1)
        text = note[: note.index("\n\n") + 1]
        line = ombudsman.line(text)
        name, raw = line.split(" ")[1:]
        forged = bytearray(base64.b64decode(raw))
        forged[-1] ^= 1
        forged_line = f"\u2014 {name} {base64.b64encode(bytes(forged)).decode()}"
        assert_problem(post(api, witness, note + forged_line + "\n"), 403, "forged-cosignature")
        stranger = Witness("stranger.example/witness")
        assert_problem(post(api, witness, note + stranger.line(text) + "\n"), 403)
        assert_problem(post(api, admin, note + line + "\n"), 403, "forbidden")
        assert_problem(post(api, None, note + line + "\n"), 401, "unauthenticated")
        assert_problem(post(api, witness, b"\xff\xfe"), 400, "malformed-cosignature")
        assert_problem(post(api, witness, "not a note"), 400, "malformed-cosignature")
        as_ombudsman = api.usecases.tokens.create("witness", None, ombudsman.name).bearer
        answer = post(api, as_ombudsman, note + kid.line(text) + "\n")  # not its own line
        assert_problem(answer, 400, "malformed-cosignature")
        assert "\u2014 " + ombudsman.name not in served(api)  # nothing was stored

    def test_split_view_and_going_back_are_conflicts(self, api: LogApi, ombudsman: Witness) -> None:
        witness = api.token("witness")
        note2 = grow(api, 2)
        note4 = grow(api, 2)
        text4 = note4[: note4.index("\n\n") + 1]
        assert post(api, witness, note4 + ombudsman.line(text4) + "\n").status_code == 200
        text2 = note2[: note2.index("\n\n") + 1]
        answer = post(api, witness, note2 + ombudsman.line(text2) + "\n")
        assert_problem(answer, 409, "inconsistent-cosignature")  # the witness went back
        config = holder_of(api.app).tlog_config
        other = CheckpointBody(TEST_ORIGIN, 4, b"\x07" * 32).text  # same size, another root
        fork = LogKeys.load(config.key_dir, TEST_ORIGIN).sign(other)
        answer = post(api, witness, fork + ombudsman.line(other) + "\n")
        assert_problem(answer, 409, "inconsistent-cosignature")
        unsigned = CheckpointBody(TEST_ORIGIN, 3, b"\x07" * 32).text  # a size never signed
        fork = LogKeys.load(config.key_dir, TEST_ORIGIN).sign(unsigned)
        answer = post(api, witness, fork + ombudsman.line(unsigned) + "\n")
        assert_problem(answer, 409, "unknown-checkpoint")


class TestSQLiteCosignatures(CosignatureBehaviour, OnSQLite):
    pass


class TestPostgresCosignatures(CosignatureBehaviour, OnPostgres):
    pass

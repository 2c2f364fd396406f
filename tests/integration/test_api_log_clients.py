"""verify/'s own log client, witness and audit, run against the API: the contract both keep."""

from __future__ import annotations

from pathlib import Path

from tests.integration.api_support import OnPostgres, OnSQLite
from tests.integration.test_api_log_support import LogApi, LogBackend
from tests.integration.test_tlog_witness import Witness
from verify.client import Fetch, LogClient, Post, Response
from verify.log_audit import audit_log
from verify.note import parse_vkey
from verify.policy import WitnessPolicy
from verify.witness import witness_round
from verify.witness_key import WitnessKey


def transport(api: LogApi, token: str) -> tuple[Fetch, Post]:
    """verify.client's transport over the Flask test client (the real HTTP stack)."""

    def fetch(path: str) -> Response:
        answer = api.client.get(path)
        return Response(answer.status_code, answer.data)

    def post(path: str, body: bytes) -> Response:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/plain"}
        answer = api.client.post(path, data=body, headers=headers)
        return Response(answer.status_code, answer.data)

    return fetch, post


class ClientsBehaviour(LogBackend):
    def test_witnesses_and_an_audit_through_verify(
        self, api: LogApi, ombudsman: Witness, kid: Witness, tmp_path: Path
    ) -> None:
        fetch, post = transport(api, api.token("witness"))
        keys = api.log_keys()
        witnesses = {w: WitnessKey(w.name, w.key) for w in (ombudsman, kid)}
        for _ in range(3):
            api.submit(api.token("reporter"))
        api.publish()
        for key in witnesses.values():
            done = witness_round(fetch, post, tmp_path / f"{key.name[:3]}.state", key, keys)
            assert done.checkpoint.checkpoint.tree_size == 3 and done.cosigned_at is not None
        for _ in range(2):
            api.submit(api.token("reporter"))
        api.publish()
        key = witnesses[ombudsman]
        done = witness_round(fetch, post, tmp_path / f"{key.name[:3]}.state", key, keys)
        assert done.previous is not None and done.previous.tree_size == 3
        assert done.checkpoint.checkpoint.tree_size == 5 and done.cosigned_at is not None
        policy = WitnessPolicy.of([parse_vkey(ombudsman.vkey), parse_vkey(kid.vkey)], 2)
        audit = audit_log(LogClient(fetch), keys, policy, full=True)
        assert audit.checkpoint.checkpoint.tree_size == 3  # the latest one 2 of 2 cosigned
        assert audit.entries is not None and audit.entries.entries == 3


class TestSQLiteClients(ClientsBehaviour, OnSQLite):
    pass


class TestPostgresClients(ClientsBehaviour, OnPostgres):
    pass

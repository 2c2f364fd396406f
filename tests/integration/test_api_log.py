"""/v1/log over the real HTTP stack: checkpoints, keys, proofs and entries, checked by verify/."""

from __future__ import annotations

import base64
import json
from uuid import UUID

from tests.conftest import TEST_ORIGIN
from tests.integration.api_support import OnPostgres, OnSQLite
from tests.integration.test_api_log_support import (
    QUORUM,
    LogApi,
    LogBackend,
    assert_problem,
    b64decode,
)
from tests.integration.test_tlog_witness import Witness
from verify.checkpoint import verify_checkpoint
from verify.entry import EntryFields, entry_hash
from verify.merkle import verify_consistency, verify_inclusion


def grow(api: LogApi, reports: int) -> int:
    """Submit reports, then integrate and sign; the new checkpoint's size."""
    for _ in range(reports):
        api.submit(api.token("reporter"))
    return api.publish()


class LogReadsBehaviour(LogBackend):
    def test_checkpoints_and_keys(self, api: LogApi, ombudsman: Witness, kid: Witness) -> None:
        assert_problem(api.get("/v1/log/checkpoint"), 404, "checkpoint-not-found")
        keys = api.get("/v1/log/keys").json
        assert keys["origin"] == TEST_ORIGIN and keys["retired_log_vkeys"] == []
        assert keys["witness_vkeys"] == [ombudsman.vkey, kid.vkey]
        assert keys["witness_quorum"] == QUORUM and len(keys["log_vkeys"]) == 1
        assert grow(api, 3) == 3
        response = api.get("/v1/log/checkpoint")
        assert response.status_code == 200 and response.mimetype == "text/plain"
        note = response.get_data(as_text=True)
        signed = verify_checkpoint(note, api.log_keys(), origin=TEST_ORIGIN)
        assert signed.checkpoint.tree_size == 3
        assert api.get("/v1/log/checkpoints/3").get_data(as_text=True) == note
        assert_problem(api.get("/v1/log/checkpoints/2"), 404, "checkpoint-not-found")
        assert_problem(api.get("/v1/log/checkpoint", witnessed=1), 404, "not-in-log")
        assert_problem(api.get("/v1/log/checkpoint", witnessed="maybe"), 400)

    def test_inclusion_proofs_by_index_and_by_hash(self, api: LogApi) -> None:
        size = grow(api, 5)
        root = api.root(size)
        for index in range(size):
            proof = api.get("/v1/log/proof/inclusion", index=index, tree_size=size).json
            assert (proof["leaf_index"], proof["tree_size"]) == (index, size)
            leaf = base64.b64decode(proof["leaf_hash"])
            verify_inclusion(index, size, leaf, b64decode(proof["hashes"]), root)
            by_hash = api.get("/v1/log/proof/inclusion", hash=leaf.hex(), tree_size=size).json
            assert by_hash == proof
        leaf3 = api.get("/v1/log/proof/inclusion", index=3, tree_size=4).json["leaf_hash"]
        hex3 = base64.b64decode(leaf3).hex()
        for params, status, slug in (
            ({"index": 5, "tree_size": 5}, 400, "bad-range"),
            ({"index": 0, "tree_size": 6}, 404, "not-in-log"),
            ({"hash": "ab" * 32, "tree_size": 5}, 404, "not-in-log"),
            ({"hash": hex3, "tree_size": 3}, 404, "not-in-log"),
            ({"index": 0, "hash": hex3, "tree_size": 5}, 400, None),
            ({"tree_size": 5}, 400, None),
            ({"hash": "XYZ", "tree_size": 5}, 400, None),
            ({"index": -1, "tree_size": 5}, 400, None),
            ({"index": 0}, 400, None),
        ):
            assert_problem(api.get("/v1/log/proof/inclusion", **params), status, slug)

    def test_consistency_proofs(self, api: LogApi) -> None:
        small = grow(api, 2)
        large = grow(api, 3)
        proof = api.get("/v1/log/proof/consistency", **{"from": small, "to": large}).json
        assert (proof["size1"], proof["size2"]) == (small, large)
        hashes = b64decode(proof["hashes"])
        verify_consistency(small, large, hashes, api.root(small), api.root(large))
        empty = api.get("/v1/log/proof/consistency", **{"from": 0, "to": large}).json
        assert empty["hashes"] == []
        for params, status in (
            ({"from": large, "to": small}, 400),
            ({"from": 1, "to": large + 1}, 404),
            ({"from": 1}, 400),
            ({"from": "one", "to": 2}, 400),
        ):
            assert_problem(api.get("/v1/log/proof/consistency", **params), status)

    def test_entries_are_bundle_entry_lines(self, api: LogApi) -> None:
        size = grow(api, 4)
        response = api.get("/v1/log/entries", start=1, end=size)
        assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
        lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
        assert [line["leaf_index"] for line in lines] == [1, 2, 3]
        for line in lines:
            assert line["kind"] == "entry"
            fields = EntryFields(
                TEST_ORIGIN,
                line["leaf_index"],
                UUID(line["stream_id"]),
                line["stream_version"],
                line["event_type"],
                line["recorded_at_us"],
                bytes.fromhex(line["prev_hash"]),
                base64.b64decode(line["payload"]),
            )
            assert entry_hash(fields).hex() == line["entry_hash"]
        for params, status in (
            ({"start": 2, "end": 2}, 400),
            ({"start": 0, "end": 1001}, 400),
            ({"start": 0, "end": size + 1}, 404),
            ({"start": -1, "end": 2}, 400),
            ({"end": 2}, 400),
        ):
            assert_problem(api.get("/v1/log/entries", **params), status)


class TestSQLiteLogReads(LogReadsBehaviour, OnSQLite):
    pass


class TestPostgresLogReads(LogReadsBehaviour, OnPostgres):
    pass

"""Helpers for the /v1/log tests: an app with two configured witnesses, and log reads."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api import create_app
from ledger.storage.keys import KeyRing
from ledger.tlog import TlogConfig, TransparencyLog
from tests.conftest import TEST_ORIGIN, make_settings
from tests.integration.api_support import LIMITS, Api, holder_of
from tests.integration.test_tlog_witness import KID, OMBUDSMAN, Witness
from verify.checkpoint import verify_checkpoint
from verify.note import VerifierKey, parse_vkey

PROBLEM = "application/problem+json"
QUORUM = 2


def log_app(url: str, tmp: Path, witnesses: list[Witness], *, publisher: str = "off") -> Flask:
    """An API app whose log trusts these witnesses (quorum 2) and publishes every 50 ms."""
    config = TlogConfig(
        origin=TEST_ORIGIN,
        key_dir=tmp / "keys" / "log",
        witness_vkeys=tuple(w.vkey for w in witnesses),
        quorum=QUORUM,
        interval_s=0.05,
    )
    return create_app(
        {
            "TESTING": True,
            "LEDGER_SETTINGS": make_settings(url, tmp / "keys"),
            "LEDGER_KEYRING": KeyRing.ephemeral(),
            "LEDGER_ACCESS_SETTINGS": LIMITS,
            "LEDGER_TLOG_CONFIG": config,
            "LEDGER_TLOG_PUBLISHER": publisher,
        }
    )


class LogApi(Api):
    """The API test client with the log's helpers."""

    @property
    def tlog(self) -> TransparencyLog:
        return holder_of(self.app).tlog

    def publish(self) -> int:
        """Integrate and sign now, as the publisher would; the new checkpoint's size."""
        self.tlog.publish_once()
        return self.tlog.latest_checkpoint().tree_size

    def log_keys(self) -> list[VerifierKey]:
        """The log's vkeys as a verifier fetches them from /v1/log/keys."""
        response = self.client.get("/v1/log/keys")
        assert response.status_code == 200, response.json
        return [parse_vkey(v) for v in response.json["log_vkeys"]]

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, query_string=params)

    def root(self, size: int) -> bytes:
        """The root of a signed checkpoint, verified under the served log keys."""
        note = self.get(f"/v1/log/checkpoints/{size}").get_data(as_text=True)
        return verify_checkpoint(note, self.log_keys()).checkpoint.root_hash


def b64decode(values: list[str]) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


def assert_problem(response: Any, status: int, slug: str | None = None) -> None:
    """An RFC 9457 problem of this status (and type slug)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    if slug is not None:
        assert response.json["type"].endswith("/" + slug), response.json


class LogBackend:
    """Builds a log app on the backend a subclass's `url` fixture names."""

    @pytest.fixture
    def ombudsman(self) -> Witness:
        return Witness(OMBUDSMAN)

    @pytest.fixture
    def kid(self) -> Witness:
        return Witness(KID)

    @pytest.fixture
    def app(self, url: str, tmp_path: Path, ombudsman: Witness, kid: Witness) -> Iterator[Flask]:
        app = log_app(url, tmp_path, [ombudsman, kid])
        yield app
        holder_of(app).close()

    @pytest.fixture
    def api(self, app: Flask) -> LogApi:
        return LogApi(app, app.test_client())

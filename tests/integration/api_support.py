"""Helpers for API tests: an app per backend, tokens, and a thin client over the real HTTP stack."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.extension import LedgerHolder
from ledger.storage.keys import KeyRing
from ledger.usecases import AccessSettings, UseCases
from tests.conftest import make_settings

WINDOW_S = 3600
LIMITS = AccessSettings(
    receipt_limit_per_client=10, receipt_limit_total=1000, receipt_window_s=WINDOW_S
)


def fresh_window(window_s: int, needed_s: float) -> None:
    """Sleep into the next rate-limit window if the current one ends too soon."""
    left = window_s - time.time() % window_s
    if left < needed_s:
        time.sleep(left + 0.5)


def build_app(url: str, key_dir: Path, access: AccessSettings = LIMITS) -> Flask:
    """An API app on the given database with test keys."""
    return create_app(
        {
            "TESTING": True,
            "LEDGER_SETTINGS": make_settings(url, key_dir),
            "LEDGER_KEYRING": KeyRing.ephemeral(),
            "LEDGER_ACCESS_SETTINGS": access,
        }
    )


def holder_of(app: Flask) -> LedgerHolder:
    """The app's ledger holder."""
    found: LedgerHolder = app.extensions["lapor_ledger"]
    return found


@dataclass
class Api:
    """A test client with the helpers every API test needs."""

    app: Flask
    client: FlaskClient

    @property
    def usecases(self) -> UseCases:
        return holder_of(self.app).usecases

    def token(self, role: str, agency: str | None = None) -> str:
        """A bearer token, issued as the operator would."""
        return self.usecases.tokens.create(role, agency).bearer

    def headers(self, token: str | None, **extra: str) -> dict[str, str]:
        named = {k.replace("_", "-"): v for k, v in extra.items()}
        return named if token is None else {"Authorization": f"Bearer {token}", **named}

    def submit(self, token: str | None = None, **body: Any) -> dict[str, Any]:
        """Submit a report; returns the 201 body."""
        payload = {"classification": "pengaduan", "privacy": "public", "title": "t", "body": "b"}
        payload.update(body)
        response = self.client.post("/v1/reports", json=payload, headers=self.headers(token))
        assert response.status_code == 201, response.json
        return dict(response.json or {})

    def act(
        self,
        token: str | None,
        report_id: str,
        action: str,
        body: Mapping[str, Any],
        **headers: str,
    ) -> Any:
        """POST an action; returns the response."""
        return self.client.post(
            f"/v1/reports/{report_id}/actions/{action}",
            json=dict(body),
            headers=self.headers(token, **headers),
        )

    def ok(self, token: str | None, report_id: str, action: str, body: Mapping[str, Any]) -> int:
        """An action that must succeed; returns the new version."""
        response = self.act(token, report_id, action, body)
        assert response.status_code == 201, (action, response.json)
        return int(response.json["version"])

    def read(self, token: str | None, report_id: str, purpose: str | None = None) -> Any:
        extra = {} if purpose is None else {"X_Purpose": purpose}
        return self.client.get(f"/v1/reports/{report_id}", headers=self.headers(token, **extra))

    def history(self, token: str | None, report_id: str, purpose: str | None = None) -> Any:
        extra = {} if purpose is None else {"X_Purpose": purpose}
        return self.client.get(
            f"/v1/reports/{report_id}/history", headers=self.headers(token, **extra)
        )

    def tree_size(self) -> int:
        return holder_of(self.app).ledger.ledger.tree_size()


class ApiBackend:
    """Builds the app on the backend a subclass names through its `url` fixture."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def app(self, url: str, tmp_path: Path) -> Iterator[Flask]:
        app = build_app(url, tmp_path / "keys")
        yield app
        holder_of(app).close()

    @pytest.fixture
    def api(self, app: Flask) -> Api:
        return Api(app, app.test_client())


class OnSQLite:
    """Mixin: a fresh SQLite file per test."""

    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


class OnPostgres:
    """Mixin: a fresh PostgreSQL schema per test."""

    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url

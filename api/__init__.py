"""HTTP API and operator command line of the LAPOR! audit ledger."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import extension, problems
from api.openapi import init_api
from ledger.settings import Settings
from ledger.storage.keys import KeyRing
from ledger.usecases import AccessSettings

PROXIES_ENV = "LEDGER_TRUSTED_PROXIES"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: settings from the environment unless a test passes its own.

    A test config may hold `LEDGER_SETTINGS` (a Settings), `LEDGER_KEYRING` (a KeyRing) and
    `LEDGER_ACCESS_SETTINGS` (an AccessSettings: rate limits, idempotency retention).
    """
    app = Flask(__name__)
    app.config.from_mapping(JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=256 * 1024)
    if test_config is not None:
        app.config.from_mapping(test_config)
    settings = app.config.get("LEDGER_SETTINGS") or Settings.from_env()
    keyring: KeyRing | None = app.config.get("LEDGER_KEYRING")
    access: AccessSettings | None = app.config.get("LEDGER_ACCESS_SETTINGS")
    extension.init_app(app, settings, keyring, access)
    proxies = int(
        app.config.get("LEDGER_TRUSTED_PROXIES", os.environ.get("LEDGER_TRUSTED_PROXIES", 0))
    )
    if proxies > 0:  # behind N reverse proxies: take the client address from X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    problems.register(app)
    init_api(app)

    from api.cli import register_commands

    register_commands(app)
    return app

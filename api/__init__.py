"""HTTP API and operator command line of the LAPOR! audit ledger."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from api import extension, problems, web
from api.openapi import init_api
from ledger.settings import Settings, SettingsError
from ledger.storage.keys import KeyRing
from ledger.tlog import TlogConfig
from ledger.usecases import AccessSettings

PROXIES_ENV = "LEDGER_TRUSTED_PROXIES"
PUBLISHER_ENV = "LEDGER_TLOG_PUBLISHER"
FOLLOWER_ENV = "LEDGER_PROJECTIONS_FOLLOWER"
# Requests of these blueprints (health checks, OpenAPI docs, unknown routes) do not start the
# process's checkpoint publisher and projection follower; every other request does, if they
# are not running yet.
QUIET_BLUEPRINTS = frozenset({"system", "api-docs", None})


def _switch(value: object, name: str) -> bool:
    """An on/off setting."""
    text = str(value).strip().lower()
    if text in ("on", "1", "true", "yes"):
        return True
    if text in ("off", "0", "false", "no"):
        return False
    raise SettingsError(f"{name} expected on or off, got {value!r}")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: settings from the environment unless a test passes its own.

    A test config may hold `LEDGER_SETTINGS` (a Settings), `LEDGER_KEYRING` (a KeyRing),
    `LEDGER_ACCESS_SETTINGS` (an AccessSettings: rate limits, idempotency retention, waits),
    `LEDGER_TLOG_CONFIG` (a TlogConfig) and `LEDGER_TLOG_PUBLISHER` (`on` or `off`; the
    environment variable of that name otherwise, default `on`, but `off` under TESTING so that
    test clients start no thread and call `publish_once` themselves). `LEDGER_PROJECTIONS_FOLLOWER`
    is read the same way: `off` under TESTING, where tests catch the projections up themselves.
    """
    app = Flask(__name__)
    app.config.from_mapping(JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=256 * 1024)
    if test_config is not None:
        app.config.from_mapping(test_config)
    settings = app.config.get("LEDGER_SETTINGS") or Settings.from_env()
    keyring: KeyRing | None = app.config.get("LEDGER_KEYRING")
    access: AccessSettings | None = app.config.get("LEDGER_ACCESS_SETTINGS")
    tlog_config: TlogConfig | None = app.config.get("LEDGER_TLOG_CONFIG")
    default = "off" if app.testing else "on"
    publishing = _switch(
        app.config.get(PUBLISHER_ENV, os.environ.get(PUBLISHER_ENV, default)), PUBLISHER_ENV
    )
    following = _switch(
        app.config.get(FOLLOWER_ENV, os.environ.get(FOLLOWER_ENV, default)), FOLLOWER_ENV
    )
    holder = extension.init_app(
        app,
        settings,
        keyring,
        access,
        tlog_config=tlog_config,
        publishing=publishing,
        following=following,
    )
    proxies = int(
        app.config.get("LEDGER_TRUSTED_PROXIES", os.environ.get("LEDGER_TRUSTED_PROXIES", 0))
    )
    if proxies > 0:  # behind N reverse proxies: take the client address from X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    problems.register(app)
    init_api(app)
    web.init_app(app)  # the pages for people (docs/web.md)

    @app.before_request
    def start_publisher() -> None:
        if request.blueprint not in QUIET_BLUEPRINTS:
            holder.start_publisher()
            holder.start_follower()  # keeps the queues and figures current (docs/deploy.md)

    from api.cli import register_commands

    register_commands(app)
    return app

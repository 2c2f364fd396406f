"""HTTP API and operator command line of the LAPOR! audit ledger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from api import extension
from ledger.settings import Settings
from ledger.storage.keys import KeyRing


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: settings from the environment unless a test passes its own.

    A test config may hold `LEDGER_SETTINGS` (a Settings) and `LEDGER_KEYRING` (a KeyRing).
    """
    app = Flask(__name__)
    app.config.from_mapping(JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=256 * 1024)
    if test_config is not None:
        app.config.from_mapping(test_config)
    settings = app.config.get("LEDGER_SETTINGS") or Settings.from_env()
    keyring: KeyRing | None = app.config.get("LEDGER_KEYRING")
    extension.init_app(app, settings, keyring)

    from api.cli import register_commands

    register_commands(app)
    return app

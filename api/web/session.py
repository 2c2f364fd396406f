"""Signed-in officers: a signed session cookie that holds a token id, never a token.

The cookie (HttpOnly, SameSite=Strict, Secure except on a loopback host) carries the token
id, the chosen language and the CSRF secret, signed with a key kept in the key folder
(`web-session.key`, created on first use, mode 0600). Every request looks the token id up in
the token store again, so revoking the API token ends the web session at once.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Request, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from api.extension import usecases
from ledger.access.errors import Unauthenticated
from ledger.access.principal import Principal

SECRET_FILE = "web-session.key"  # noqa: S105 (a file name, not a secret)
TOKEN_ID = "token_id"  # noqa: S105 (the session key that holds a token's id)
log = logging.getLogger(__name__)


def _session_secret(key_dir: Path) -> str:
    """The session signing key from the key folder, created on first use."""
    path = key_dir / SECRET_FILE
    if not path.exists():
        key_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first
        else:
            log.warning("generating the web session key in %s (docs/web.md)", key_dir)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip()


def ensure_secret_key(app: Flask) -> None:
    """Load the signing key of sessions and CSRF tokens, unless the app was given one."""
    if not app.secret_key:
        app.secret_key = _session_secret(app.extensions["lapor_ledger"].settings.key_dir)


def is_loopback(host: str) -> bool:
    """Whether a Host header names this machine (then the cookie may travel over http)."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class WebSessions(SecureCookieSessionInterface):
    """Cookie sessions that need the signing key only once a cookie is read or written."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()  # API calls carry no cookie: nothing to read
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        ensure_secret_key(app)
        return super().get_signing_serializer(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return not is_loopback(request.host)


def sign_in(bearer: str) -> Principal:
    """Check an API token and start a session that remembers only its id."""
    principal = usecases().tokens.authenticate(bearer)
    lang = session.get("lang")
    session.clear()  # a new session on sign-in: no fixation of an earlier one
    session.permanent = True
    session[TOKEN_ID] = principal.token_id
    if lang is not None:
        session["lang"] = lang
    return principal


def sign_out() -> None:
    """Forget the signed-in officer (the language choice stays)."""
    lang = session.get("lang")
    session.clear()
    if lang is not None:
        session["lang"] = lang


def current_principal() -> Principal | None:
    """The signed-in officer of this request, looked up again in the token store; or None."""
    if "principal" in g:
        found: Principal | None = g.principal
        return found
    token_id: Any = session.get(TOKEN_ID)
    principal = None
    if isinstance(token_id, str):
        try:
            principal = usecases().tokens.resume(token_id)
        except Unauthenticated:
            sign_out()  # revoked since sign-in
    g.principal = principal
    return principal


def require_principal() -> Principal:
    """The signed-in officer; Unauthenticated (a redirect to the sign-in page) otherwise."""
    principal = current_principal()
    if principal is None:
        raise Unauthenticated("sign in with your API token")
    return principal

"""Server-rendered pages for people: submission, receipt check, auditor timeline, queue.

`init_app` adds them to the API's app (docs/web.md). They call the same use cases as the
API's views, with their own security headers, CSRF checks and cookie sessions; the API
itself stays cookie-free (its CSRF checks are off: it authenticates by bearer token only).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from api.web import errors
from api.web.blueprint import bp, csrf
from api.web.session import WebSessions
from api.web.views import officer, public, queue

__all__ = ["init_app", "officer", "public", "queue"]
errors.register(bp)  # once, before any app registers the blueprint


def init_app(app: Flask) -> None:
    """Register the pages, their sessions and CSRF protection on the app."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked by the pages' blueprint
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)  # a long report takes time to write
    app.config.update(  # Flask's defaults are laxer; Secure is decided per request (session.py)
        SESSION_COOKIE_NAME="lapor_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    app.session_interface = WebSessions()
    csrf.init_app(app)
    app.register_blueprint(bp)

"""The pages' blueprint: security headers, CSRF checks, the publisher, template helpers."""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask_wtf.csrf import CSRFProtect

from api.extension import holder
from api.web import labels
from api.web.forms import LanguageForm
from api.web.i18n import LANGUAGES, format_date, format_datetime, gettext, language
from api.web.session import current_principal, ensure_secret_key

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)
csrf = CSRFProtect()

# No inline script or style, nothing from another origin, no framing, no referrer.
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@bp.before_request
def _before() -> None:
    """Every form post needs its CSRF token; pages append and prove, so the publisher runs."""
    ensure_secret_key(current_app)
    if request.method not in SAFE_METHODS:
        csrf.protect()
    if request.endpoint != "web.static":
        holder().start_publisher()


@bp.after_request
def _security_headers(response: Response) -> Response:
    """Strict headers on every page and asset; pages (receipts!) are never stored."""
    response.headers.update(SECURITY_HEADERS)
    if request.endpoint != "web.static":
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


@bp.context_processor
def _helpers() -> dict[str, Any]:
    """What every template may use: `_`, the language switch, dates, the signed-in officer."""
    switch = LanguageForm(formdata=None, next=request.path)
    return {
        "_": gettext,
        "lang": language(),
        "languages": LANGUAGES,
        "language_form": switch,
        "principal": current_principal(),
        "format_date": format_date,
        "format_datetime": format_datetime,
        "labels": labels,
        "b64": lambda text: base64.b64encode(text.encode()).decode(),
        "label": labels.label,
    }

"""Security headers, CSRF refusals and the session cookie, against the real service."""

from __future__ import annotations

import base64
import json
import re
import zlib

import pytest
import requests

from ledger.access.tokens import parse as parse_token
from tests.browser.support import Site

PAGES = ["/", "/lapor", "/cek", "/masuk", "/assets/js/page.js", "/assets/css/site.css"]
FORMS = ["/lapor", "/cek", "/cek/jawab", "/masuk", "/keluar", "/bahasa"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_page_and_asset(site: Site, path: str) -> None:
    response = requests.get(f"{site.base}{path}", timeout=10)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'"):
        assert directive in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    if not path.startswith("/assets/"):
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", FORMS)
def test_a_form_post_without_csrf_token_is_refused(site: Site, path: str) -> None:
    with requests.Session() as browser:
        browser.get(f"{site.base}/lapor", timeout=10)  # a session cookie, but no token sent
        data = {"classification": "pengaduan", "privacy": "anonim", "title": "t", "body": "b"}
        response = browser.post(f"{site.base}{path}", data=data, timeout=10)
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in response.text


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _cookie_payload(value: str) -> dict[str, object]:
    """What a Flask session cookie carries (signed, not encrypted: anyone can read it)."""
    compressed = value.startswith(".")
    body = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    loaded: dict[str, object] = json.loads(zlib.decompress(raw) if compressed else raw)
    return loaded


def test_session_cookie_is_strict_and_holds_no_token(site: Site) -> None:
    token = site.tokens["auditor"]
    with requests.Session() as browser:
        page = browser.get(f"{site.base}/masuk", timeout=10)
        cookie = page.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "Secure" not in cookie  # plain http is fine on a loopback host only
        signed_in = browser.post(
            f"{site.base}/masuk",
            data={"csrf_token": _csrf(page.text), "token": token},
            timeout=10,
            allow_redirects=False,
        )
        assert signed_in.status_code == 303
        value = browser.cookies.get("lapor_session") or ""
    payload = _cookie_payload(value)
    parsed = parse_token(token)
    assert parsed is not None
    token_id, secret = parsed
    assert payload["token_id"] == token_id
    assert token not in value and secret not in json.dumps(payload) and secret not in value


def test_cookie_is_secure_when_not_on_localhost(site: Site) -> None:
    page = requests.get(f"{site.base}/masuk", headers={"Host": "lapor.example"}, timeout=10)
    assert "Secure" in page.headers["Set-Cookie"]

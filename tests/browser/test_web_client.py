"""The pages through Flask's test client: no browser, so these run wherever the suite runs.

Translations are complete, templates carry no inline script or style and nothing from
another origin, a refused form writes nothing, the receipt is shown in the POST answer only
(no redirect, no store), and a revoked token ends the web session at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.web import errors, forms, labels
from tests.integration.api_support import build_app, holder_of

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
MSGID = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
GETTEXT = re.compile(r'gettext\(\s*"((?:[^"\\]|\\.)*)"')


def _msgids() -> set[str]:
    """Every Indonesian text the pages show: templates, labels, forms, refusals, views."""
    found = set()
    for template in (WEB / "templates").glob("*.html"):
        for match in MSGID.finditer(template.read_text()):
            found.add((match.group(1) or match.group(2) or "").replace('\\"', '"'))
    for table in (labels.EVENTS, labels.STATES, labels.ROLES, labels.CLASSIFICATIONS):
        found |= set(table.values())
    for table in (labels.CLOCKS, labels.OUTCOMES, labels.VERIFY, errors.MESSAGES):
        found |= set(table.values())
    for choices in (forms.CLASSIFICATIONS, forms.PRIVACY, forms.PURPOSES):
        found |= {choice.label for choice in choices}
    for form in (forms.SubmitForm, forms.ReceiptForm, forms.AnswerForm, forms.LoginForm):
        found |= {f.args[0] for f in vars(form).values() if getattr(f, "args", None)}
    for module in WEB.rglob("*.py"):
        found |= set(GETTEXT.findall(module.read_text()))
    found |= set(re.findall(r'message = "([^"]+)"', (WEB / "errors.py").read_text()))
    found |= {errors.GENERIC, errors.LOG_REFUSED, forms.REQUIRED, forms.TOO_LONG}
    return found - {""}


def test_every_text_has_an_english_translation() -> None:
    english = json.loads((WEB / "translations" / "en.json").read_text())
    missing = sorted(_msgids() - set(english))
    assert not missing, missing
    placeholders = re.compile(r"%\(\w+\)s|\{\w+\}")
    for text, translated in english.items():
        assert sorted(placeholders.findall(text)) == sorted(placeholders.findall(translated)), text


def test_templates_have_no_inline_script_style_or_foreign_assets() -> None:
    for template in (WEB / "templates").glob("*.html"):
        html = template.read_text()
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script or 'type="application/json"' in script, template.name
        assert not re.search(r"\sstyle=|\son[a-z]+=|<style", html), template.name
        assert not re.search(r"(src|href)=\"(https?:)?//", html), template.name


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    built = build_app(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", tmp_path / "keys")
    yield built
    holder_of(built).close()


def _token(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def test_refused_post_writes_nothing_and_receipt_is_answered_not_redirected(app: Flask) -> None:
    client = app.test_client()
    ledger = holder_of(app).ledger.ledger
    form = {"classification": "wbs", "privacy": "public", "title": "Suap", "body": "Di loket."}
    before = ledger.tree_size()
    assert client.post("/lapor", data=form).status_code == 400
    assert ledger.tree_size() == before
    answer = client.post("/lapor", data={**form, "csrf_token": _token(client, "/lapor")})
    assert answer.status_code == 200 and "Location" not in answer.headers
    assert answer.headers["Cache-Control"] == "no-store"
    assert ledger.tree_size() == before + 1
    shown = re.search(r'id="receipt-text" translate="no">(.*?)</p>', answer.text)
    assert shown
    receipt = re.sub(r"<[^>]+>", "", shown.group(1))
    status = client.post("/cek", data={"receipt": receipt, "csrf_token": _token(client, "/cek")})
    assert status.status_code == 200 and "Location" not in status.headers
    assert "WBS" in status.text  # the form made the WBS report rahasia, as the domain requires


def test_wrong_receipt_shows_the_form_again(app: Flask) -> None:
    client = app.test_client()
    wrong = "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH"
    answer = client.post("/cek", data={"receipt": wrong, "csrf_token": _token(client, "/cek")})
    assert answer.status_code == 404
    assert "Tanda terima tidak dikenali" in answer.text and wrong not in answer.text


def test_revoking_the_token_ends_the_web_session(app: Flask) -> None:
    usecases = holder_of(app).usecases
    made = usecases.tokens.create("liaison", "kota-serang")
    client = app.test_client()
    signed_in = client.post(
        "/masuk", data={"token": made.bearer, "csrf_token": _token(client, "/masuk")}
    )
    assert signed_in.status_code == 303
    assert client.get("/antrian").status_code == 200
    usecases.tokens.revoke(made.info.token_id)
    refused = client.get("/antrian")
    assert refused.status_code == 401 and "Silakan masuk" in refused.text


def test_bad_token_and_unknown_report(app: Flask) -> None:
    client = app.test_client()
    refused = client.post("/masuk", data={"token": "lpr_x", "csrf_token": _token(client, "/masuk")})
    assert refused.status_code == 401 and "Token tidak valid" in refused.text
    made = holder_of(app).usecases.tokens.create("ombudsman_auditor", "ombudsman-ri")
    client.post("/masuk", data={"token": made.bearer, "csrf_token": _token(client, "/masuk")})
    missing = client.get("/laporan/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and "Laporan tidak ditemukan" in missing.text

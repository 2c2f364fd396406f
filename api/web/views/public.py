"""The public's pages: home, submission, receipt check and answer, language switch.

The receipt travels only in POST bodies and is shown only in POST responses (never stored,
never in a URL, never redirected to); see docs/web.md.
"""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from api.extension import usecases
from api.web.blueprint import bp
from api.web.evidence import receipt_evidence
from api.web.forms import AnswerForm, LanguageForm, ReceiptForm, SubmitForm
from api.web.i18n import gettext
from ledger.access.principal import ANONYMOUS
from ledger.domain import Action, State
from ledger.domain.lifecycle import ALLOWED_FROM

Page = str | tuple[str, int]


def _client() -> str:
    """The client address the receipt rate limit counts, as the API's receipt views."""
    return request.remote_addr or "unknown"


@bp.get("/")
def home() -> str:
    """What the service is and where to go."""
    return render_template("home.html")


@bp.route("/lapor", methods=["GET", "POST"])
def submit() -> Page:
    """Submit a report without an account; the answer shows the receipt, once."""
    form = SubmitForm()
    blank = gettext("Tidak tahu — Admin Nasional akan meneruskan ke instansi yang berwenang")
    agencies = usecases().agencies.list()
    form.target_agency_id.choices = [SelectChoice("", blank)] + [
        SelectChoice(a.id, a.name) for a in agencies if a.level != "unit"
    ]
    if not form.validate_on_submit():
        return render_template("submit.html", form=form), 422 if form.is_submitted() else 200
    result = usecases().reports.submit(ANONYMOUS, **form.command())
    evidence = receipt_evidence(result.report_id, result.tlog_proof)
    return render_template("receipt_issued.html", result=result, evidence=evidence)


@bp.route("/cek", methods=["GET", "POST"])
def check() -> Page:
    """Type the receipt back: the report's timeline, answers and the in-browser check."""
    form = ReceiptForm()
    if not form.validate_on_submit():
        return render_template("check.html", form=form), 422 if form.is_submitted() else 200
    return _status_page(form.receipt.data)


@bp.post("/cek/jawab")
def answer() -> Page:
    """Record the whistleblower's answer, then show the timeline again."""
    form = AnswerForm()
    if not form.validate_on_submit():
        if not form.receipt.data:
            return render_template("check.html", form=ReceiptForm(formdata=None)), 422
        return _status_page(form.receipt.data, form), 422
    usecases().receipts.respond(_client(), form.receipt.data, form.message.data.strip())
    return _status_page(form.receipt.data, answered=True)


def _status_page(receipt: str, form: AnswerForm | None = None, *, answered: bool = False) -> str:
    status = usecases().receipts.status(_client(), receipt)
    state = State(status.state)
    return render_template(
        "status.html",
        status=status,
        evidence=receipt_evidence(status.report_id, status.tlog_proof),
        form=form or AnswerForm(formdata=None, receipt=receipt),
        can_answer=status.awaiting_reporter or state in ALLOWED_FROM[Action.RESPOND],
        answered=answered,
    )


@bp.post("/bahasa")
def switch_language() -> Response:
    """Remember the chosen language and go back to the page (its path only)."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    target = form.next.data or ""
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return redirect(target if local else url_for("web.home"), 303)

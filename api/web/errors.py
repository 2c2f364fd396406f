"""Refusals as pages: the API's statuses (api.problems) with words for people, not JSON."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from api.problems import STATUSES
from api.web.forms import LoginForm, ReceiptForm
from ledger.access.errors import RateLimited, ReceiptNotRecognised, Unauthenticated
from ledger.agencies.registry import UnknownAgency
from ledger.domain import LedgerError
from ledger.tlog import TlogError

log = logging.getLogger(__name__)

# problem slug -> what the page says (Indonesian; translated in the template)
MESSAGES = {
    "forbidden": "Peran Anda tidak boleh melakukan ini.",
    "report-not-found": "Laporan tidak ditemukan, atau Anda tidak berhak melihatnya.",
    "receipt-not-recognised": "Tanda terima tidak dikenali. Periksa kembali huruf-hurufnya.",
    "agency-not-found": "Instansi tidak dikenal.",
    "illegal-transition": "Tindakan ini tidak dapat dilakukan pada tahap laporan sekarang.",
    "stale-version": "Laporan baru saja berubah. Muat ulang halaman lalu coba lagi.",
    "concurrent-append": "Laporan baru saja berubah. Muat ulang halaman lalu coba lagi.",
    "invalid-command": "Isian tidak dapat diterima.",
    "rate-limited": "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.",
}
GENERIC = "Permintaan tidak dapat diproses."
LOG_REFUSED = (
    "Log tidak dapat membuktikan laporan ini sekarang: data yang tersimpan mungkin tidak lagi "
    "cocok dengan log. Operator sudah diberi tahu."
)


def _status(error: Exception) -> tuple[int, str]:
    for cls in type(error).__mro__:
        if cls in STATUSES:
            status, slug, _ = STATUSES[cls]
            return status, slug
    return 500, "internal"


def refused(error: Exception) -> tuple[str, int, dict[str, str]]:
    """A ledger, access or log refusal: nothing was written; say why in plain words."""
    status, slug = _status(error)
    if status == 500:  # not the caller's doing (keys, an inconsistent tree): logged here
        log.error("page %s failed: %s", request.path, type(error).__name__, exc_info=error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}
    message = MESSAGES.get(slug, LOG_REFUSED if isinstance(error, TlogError) else GENERIC)
    detail = str(error) if slug in ("invalid-command", "illegal-transition", "forbidden") else None
    page = render_template("error.html", status=status, message=message, detail=detail)
    return page, status, headers


def sign_in_needed(error: Unauthenticated) -> tuple[str, int]:
    """No (or no longer a valid) session or token: the sign-in page, with the reason."""
    failed = request.endpoint == "web.login"
    message = (
        "Token tidak valid atau sudah dicabut." if failed else "Silakan masuk terlebih dahulu."
    )
    return render_template("login.html", form=LoginForm(), message=message), 401


def receipt_unknown(error: ReceiptNotRecognised) -> tuple[str, int]:
    """A wrong receipt: the check form again, empty, with the reason."""
    form = ReceiptForm(formdata=None)
    return render_template("check.html", form=form, message=MESSAGES["receipt-not-recognised"]), 404


def csrf_failed(error: CSRFError) -> tuple[str, int]:
    """A form post without a valid CSRF token (or after the page expired)."""
    message = "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."
    return render_template("error.html", status=400, message=message, detail=None), 400


def http_error(error: HTTPException) -> tuple[str, int]:
    """404, 405, 413 … raised inside a page."""
    status = error.code or 500
    message = "Halaman tidak ditemukan." if status == 404 else GENERIC
    return render_template("error.html", status=status, message=message, detail=None), status


def register(bp: Blueprint) -> None:
    """Install the handlers on the pages' blueprint (the API keeps its problem details)."""
    bp.register_error_handler(CSRFError, csrf_failed)
    bp.register_error_handler(Unauthenticated, sign_in_needed)
    bp.register_error_handler(ReceiptNotRecognised, receipt_unknown)
    bp.register_error_handler(LedgerError, refused)
    bp.register_error_handler(UnknownAgency, refused)
    bp.register_error_handler(TlogError, refused)
    bp.register_error_handler(HTTPException, http_error)

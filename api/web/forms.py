"""The pages' forms: fields, limits (those of the API's schemas) and the commands they make.

Error messages are Indonesian texts that the templates translate when they show them.
Every form carries the CSRF token of flask-wtf.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

REQUIRED = "Wajib diisi."
TOO_LONG = "Terlalu panjang."

CLASSIFICATIONS = [
    SelectChoice("pengaduan", "Pengaduan (keluhan tentang pelayanan publik)"),
    SelectChoice("aspirasi", "Aspirasi (saran atau usulan)"),
    SelectChoice("permintaan_informasi", "Permintaan informasi"),
    SelectChoice(
        "wbs", "Pengaduan pelanggaran oleh pejabat (WBS: korupsi, penipuan, penyalahgunaan)"
    ),
]
PRIVACY = [
    SelectChoice("anonim", "Anonim: identitas saya dirahasiakan dari pihak terlapor dan publik"),
    SelectChoice("rahasia", "Rahasia: isi laporan tidak dibuka untuk publik"),
    SelectChoice("public", "Publik: isi laporan boleh dibaca publik"),
]
PURPOSES = [
    SelectChoice("audit", "Pemeriksaan (Ombudsman RI, Komisi Informasi)"),
    SelectChoice("handling", "Penanganan laporan"),
    SelectChoice("investigation", "Investigasi WBS (Inspektorat / APIP)"),
]


def _text(limit: int, *, required: bool = True) -> list[Any]:
    first = DataRequired(REQUIRED) if required else Optional()
    return [first, Length(max=limit, message=TOO_LONG)]


class SubmitForm(FlaskForm):
    """A new report from the public: anonymous always, so it returns a receipt."""

    classification = RadioField(
        "Jenis laporan",
        choices=CLASSIFICATIONS,
        default="pengaduan",
        validators=[AnyOf([c.value for c in CLASSIFICATIONS])],
    )
    privacy = RadioField(
        "Kerahasiaan",
        choices=PRIVACY,
        default="anonim",
        validators=[AnyOf([p.value for p in PRIVACY])],
    )
    target_agency_id = SelectField(
        "Instansi yang dituju", choices=[], default="", validate_choice=True
    )
    disaster = BooleanField("Terkait bencana (ditangani lebih cepat)")
    title = StringField("Judul laporan", validators=_text(200))
    body = TextAreaField("Isi laporan", validators=_text(10_000))
    name = StringField("Nama (boleh dikosongkan)", validators=_text(200, required=False))
    phone = StringField("Nomor telepon (boleh dikosongkan)", validators=_text(50, required=False))
    email = StringField("Email (boleh dikosongkan)", validators=_text(254, required=False))

    def command(self) -> dict[str, Any]:
        """The keyword arguments of the submit use case."""
        kind = self.classification.data
        reporter = {k: (getattr(self, k).data or "").strip() for k in ("name", "phone", "email")}
        reporter = {k: v for k, v in reporter.items() if v}
        return {
            "classification": kind,
            "privacy": "rahasia" if kind == "wbs" else self.privacy.data,  # WBS is always rahasia
            "urgency": "disaster" if self.disaster.data else "normal",
            "channel": "web",
            "target_agency_id": self.target_agency_id.data or None,
            "title": self.title.data.strip(),
            "body": self.body.data.strip(),
            "reporter": reporter or None,
        }


class ReceiptForm(FlaskForm):
    """A receipt typed back; case, spaces and dashes do not matter."""

    receipt = StringField("Tanda terima", validators=_text(64))


class AnswerForm(FlaskForm):
    """The whistleblower's answer; the receipt rides along in the form, never in a URL."""

    receipt = HiddenField(validators=_text(64))
    message = TextAreaField("Jawaban Anda", validators=_text(5_000))


class LoginForm(FlaskForm):
    """An officer signs in with the API token the operator issued."""

    token = PasswordField("Token API", validators=_text(200))


class PurposeForm(FlaskForm):
    """The purpose an officer states to see sealed content (recorded on the report)."""

    purpose = SelectField("Tujuan", choices=PURPOSES, validate_choice=True)
    reference = StringField("Rujukan (mis. nomor LHP)", validators=_text(200, required=False))

    def stated(self) -> str:
        """`kind` or `kind: reference`, as the API's X-Purpose header."""
        reference = (self.reference.data or "").strip()
        return f"{self.purpose.data}: {reference}" if reference else str(self.purpose.data)


class LanguageForm(FlaskForm):
    """The language switch: a small form in every page's header."""

    lang = HiddenField(validators=[AnyOf(["id", "en"])])
    next = HiddenField(validators=[Length(max=300)])

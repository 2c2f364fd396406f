"""Schemas of the lifecycle actions: one input per action, one output for all."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.base import InSchema, agency_ref, choice, text, text_list
from ledger.domain import ArchiveReason, HandlingClass

LONG = 5_000


class PutOnHoldIn(InSchema):
    """Tunda: why, and the question the reporter must answer."""

    reason = text(LONG)
    question = text(LONG)


class ArchiveIn(InSchema):
    """Diarsipkan: one of the allowed reasons."""

    reason = choice([r.value for r in ArchiveReason])
    note = text(LONG, required=False)


class VerifyIn(InSchema):
    """Verifikasi: the handling class that selects the completion deadline."""

    handling_class = choice([h.value for h in HandlingClass])


class DispositionIn(InSchema):
    """Disposisi: to an agency, or within the handling agency to one of its units."""

    agency_id = agency_ref()
    unit_id = agency_ref(required=False)


class ReasonIn(InSchema):
    """An action that needs a reason (bukan wewenang, escalation)."""

    reason = text(LONG)


class FollowUpIn(InSchema):
    """Tindak lanjut: the answer to the reporter (sealed)."""

    message = text(LONG)
    attachments = text_list(10, 200)


class QuestionIn(InSchema):
    """A clarification question for the reporter."""

    question = text(LONG)


class MessageIn(InSchema):
    """The reporter's answer (tanggapan pelapor), relayed by an intake channel."""

    message = text(LONG)


class ExtendAnswerIn(InSchema):
    """Perpanjangan jangka waktu (UU 14/2008 Pasal 22(8)): the written reason, required."""

    reason = text(LONG)


class CompleteIn(InSchema):
    """Selesai: a summary of what was done."""

    summary = text(LONG)


class ObjectionIn(InSchema):
    """Keberatan: the reporter's objection to the completion."""

    objection = text(LONG)


class NoteIn(InSchema):
    """An auditor's annotation or a WBS investigation note."""

    note = text(LONG)


class EraseIn(InSchema):
    """Erasure of personal data (UU 27/2022): the legal basis."""

    legal_basis = text(500)


# API name -> (input schema, one-line summary), in lifecycle order.
ACTIONS: dict[str, tuple[type[InSchema], str]] = {
    "put_on_hold": (PutOnHoldIn, "Put on hold (tunda)"),
    "archive": (ArchiveIn, "Archive (diarsipkan)"),
    "verify": (VerifyIn, "Verify (verifikasi)"),
    "disposition": (DispositionIn, "Disposition (disposisi / diteruskan)"),
    "return_not_authority": (ReasonIn, "Return as not our authority (bukan wewenang)"),
    "follow_up": (FollowUpIn, "Follow up (tindak lanjut)"),
    "request_clarification": (QuestionIn, "Ask the reporter for clarification"),
    "respond": (MessageIn, "Relay the reporter's answer (tanggapan pelapor)"),
    "extend_answer_deadline": (
        ExtendAnswerIn,
        "Extend an information request's answer deadline once (perpanjangan jangka waktu)",
    ),
    "complete": (CompleteIn, "Complete (selesai)"),
    "reopen": (ObjectionIn, "Reopen on a timely objection (keberatan)"),
    "escalate": (ReasonIn, "Escalate to Ombudsman RI"),
    "annotate": (NoteIn, "Annotate (auditors)"),
    "add_investigation_note": (NoteIn, "Add a WBS investigation note (Inspektorat / APIP)"),
    "erase": (EraseIn, "Erase personal data (UU 27/2022)"),
}


class ActionOut(Schema):
    """The event an action became and where it sits in the log."""

    report_id = fields.UUID(required=True)
    action = fields.String(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    event_type = fields.String(required=True)
    leaf_index = fields.Integer(required=True)
    entry_hash = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)
    checkpoint_size = fields.Integer(
        allow_none=True,
        metadata={"description": "With `Prefer: wait-for-checkpoint`: the covering checkpoint"},
    )
    checkpoint = fields.String(
        allow_none=True, metadata={"description": "Its signed note, with cosignatures"}
    )

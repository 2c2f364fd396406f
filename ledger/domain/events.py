"""The events of a report: the stored shape of each fact and which fields are sealed.

The Report aggregate adopts these classes, so their stored topics read
`ledger.domain.report:Report.<Name>`. Every event carries, in the clear, the acting user
(`actor`: id, role, agency_id), the business time of the action (`at`, UTC) and the state
the report is in after it (`state`). Fields named in `sealed_fields` are encrypted by the
storage layer under the report's data key; once that key is destroyed (erasure, UU 27/2022)
they replay as None, so every sealed field is typed optional. Values stay JSON-friendly:
enums are stored as their string values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate


class ReportEvent(Aggregate.Event):
    """Base of every report event: who acted, when, and the resulting state."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset()

    actor: dict[str, Any]
    at: datetime
    state: str


class Submitted(ReportEvent, Aggregate.Created):
    """A report was submitted (laporan masuk)."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset(
        {"title", "body", "reporter", "attachments"}
    )

    classification: str
    privacy: str
    urgency: str
    channel: str
    target_agency_id: str | None
    category: str | None
    title: str | None
    body: str | None
    reporter: dict[str, Any] | None
    attachments: list[str] | None


class PutOnHold(ReportEvent):
    """The admin put the report on hold (tunda) and asked the reporter a question."""

    reason: str
    question: str


class Archived(ReportEvent):
    """The admin archived the report (diarsipkan) for one of the allowed reasons."""

    reason: str
    note: str | None


class Verified(ReportEvent):
    """The report was verified; handling class, SLA policy version and deadlines stamped."""

    handling_class: str
    sla_policy: str
    sla_policy_version: int
    deadlines: dict[str, datetime]


class Dispositioned(ReportEvent):
    """The report was forwarded (disposisi / diteruskan) to an agency or to one of its units."""

    agency_id: str
    unit_id: str | None
    to_unit: bool
    deadlines: dict[str, datetime]


class ReturnedNotAuthority(ReportEvent):
    """The assigned agency returned the report as not its authority (bukan wewenang)."""

    agency_id: str
    reason: str


class FollowedUp(ReportEvent):
    """The liaison posted a follow-up (tindak lanjut)."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"message", "attachments"})

    message: str | None
    attachments: list[str] | None


class ClarificationRequested(ReportEvent):
    """The handling agency asked the reporter for clarification."""

    question: str


class Responded(ReportEvent):
    """The reporter answered (tanggapan pelapor)."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"message"})

    message: str | None


class Completed(ReportEvent):
    """The report was completed (selesai), by the liaison or by the auto-close timer."""

    summary: str
    auto: bool
    objection_deadline: datetime


class Reopened(ReportEvent):
    """The reporter objected in time (keberatan) and the report was reopened."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"objection"})

    objection: str | None


class AnswerDeadlineExtended(ReportEvent):
    """The handling agency extended the answer deadline of an information request once
    (perpanjangan jangka waktu, UU 14/2008 Pasal 22(8)); `deadlines` holds `kip_extension`."""

    reason: str
    deadlines: dict[str, datetime]


class Escalated(ReportEvent):
    """The report was escalated to Ombudsman RI."""

    reason: str
    escalated_from: str


class Annotated(ReportEvent):
    """An auditor annotated the report's history."""

    note: str


class InvestigationNoteAdded(ReportEvent):
    """A WBS investigator (Inspektorat / APIP) added an investigation note."""

    sealed_fields: ClassVar[frozenset[str]] = frozenset({"note"})

    note: str | None


class DisclosureRecorded(ReportEvent):
    """Sealed fields of the report were shown to someone, for a stated purpose."""

    fields: list[str]
    purpose: str


class PersonalDataErased(ReportEvent):
    """Personal data was erased (UU 27/2022): the report's data key is destroyed next."""

    legal_basis: str


EVENT_CLASSES: tuple[type[ReportEvent], ...] = (
    Submitted,
    PutOnHold,
    Archived,
    Verified,
    Dispositioned,
    ReturnedNotAuthority,
    FollowedUp,
    ClarificationRequested,
    Responded,
    Completed,
    Reopened,
    AnswerDeadlineExtended,
    Escalated,
    Annotated,
    InvestigationNoteAdded,
    DisclosureRecorded,
    PersonalDataErased,
)

SEALED_FIELD_NAMES: frozenset[str] = frozenset().union(*(c.sealed_fields for c in EVENT_CLASSES))

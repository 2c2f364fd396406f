"""Value types of the domain: roles, classifications, states and the acting user."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ledger.domain.errors import InvalidCommand


class Role(StrEnum):
    """Who acts on a report; the roles of DOMAIN.md plus `system` for timers."""

    REPORTER = "reporter"  # pelapor, often anonymous (receipt)
    ADMIN_NATIONAL = "admin_national"  # Admin Nasional (KemenPANRB)
    ADMIN_AGENCY = "admin_agency"  # Admin Instansi
    LIAISON = "liaison"  # Pejabat / Admin Penghubung
    OMBUDSMAN_AUDITOR = "ombudsman_auditor"  # Ombudsman RI (UU 37/2008)
    KID_AUDITOR = "kid_auditor"  # Komisi Informasi (UU 14/2008)
    WBS_INVESTIGATOR = "wbs_investigator"  # Inspektorat / APIP
    WITNESS = "witness"  # saksi: cosigns checkpoints
    SYSTEM = "system"  # timers: auto-close, overdue escalation


class Classification(StrEnum):
    """Kind of report (klasifikasi laporan)."""

    PENGADUAN = "pengaduan"  # complaint
    ASPIRASI = "aspirasi"  # aspiration / suggestion
    PERMINTAAN_INFORMASI = "permintaan_informasi"  # information request (UU 14/2008)
    WBS = "wbs"  # whistleblowing system: corruption, fraud, abuse by officials


class Privacy(StrEnum):
    """Privacy level of a report (publik / anonim / rahasia)."""

    PUBLIC = "public"  # publik
    ANONIM = "anonim"  # reporter identity hidden from the reported party and the public
    RAHASIA = "rahasia"  # content not public; WBS reports are always rahasia


class Urgency(StrEnum):
    """Urgency flag that changes deadlines."""

    NORMAL = "normal"
    DISASTER = "disaster"  # bencana
    COVID = "covid"  # historic COVID-19 rules (SE MenPANRB 53/2020)


class HandlingClass(StrEnum):
    """Handling class chosen at verification, which selects the completion deadline."""

    INFO_ASPIRATION = "info_aspiration"  # informasi & aspirasi
    RINGAN = "ringan"  # light
    NORMATIF = "normatif"  # normative
    NON_SUPERVISORY_FIELD_CHECK = "non_supervisory_field_check"  # tidak berkadar pengawasan
    SUPERVISORY_FIELD_INSPECTION = "supervisory_field_inspection"  # berkadar pengawasan


class Channel(StrEnum):
    """Intake channel (kanal) of a report."""

    WEB = "web"
    SMS_1708 = "sms_1708"
    MOBILE_APP = "mobile_app"
    INTAKE_OFFICER = "intake_officer"  # petugas penerima laporan
    API = "api"


class ArchiveReason(StrEnum):
    """Why a report is archived (diarsipkan)."""

    INCOMPLETE_FORMAT = "incomplete_format"  # format tidak lengkap
    TOO_GENERAL = "too_general"  # terlalu umum
    NOT_PUBLIC_SERVICE = "not_public_service"  # bukan pelayanan publik
    DUPLICATE = "duplicate"  # duplikat


class State(StrEnum):
    """Lifecycle state of a report (status laporan)."""

    SUBMITTED = "submitted"  # belum terverifikasi
    ON_HOLD = "on_hold"  # tunda
    ARCHIVED = "archived"  # diarsipkan (terminal)
    VERIFIED = "verified"  # terverifikasi
    DISPOSITIONED = "dispositioned"  # diteruskan / disposisi
    RETURNED_NOT_AUTHORITY = "returned_not_authority"  # bukan wewenang
    IN_FOLLOW_UP = "in_follow_up"  # ditindaklanjuti (tindak lanjut)
    REPORTER_RESPONDED = "reporter_responded"  # tanggapan pelapor
    COMPLETED = "completed"  # selesai
    REOPENED = "reopened"  # dibuka kembali after a timely keberatan (objection)
    ESCALATED = "escalated"  # escalated to Ombudsman RI


@dataclass(frozen=True, slots=True)
class Actor:
    """The user or process behind an action, recorded in the clear on every event."""

    actor_id: str | None
    role: Role
    agency_id: str | None = None

    def __post_init__(self) -> None:
        try:
            role = Role(self.role)
        except ValueError:
            raise InvalidCommand(f"unknown role {self.role!r}", field="role") from None
        object.__setattr__(self, "role", role)

    def as_dict(self) -> dict[str, str | None]:
        """Return the event form: {"id", "role", "agency_id"} as plain strings."""
        return {"id": self.actor_id, "role": self.role.value, "agency_id": self.agency_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Actor:
        """Rebuild an actor from its event form."""
        return cls(actor_id=data.get("id"), role=data["role"], agency_id=data.get("agency_id"))

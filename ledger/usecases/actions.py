"""One typed use case per lifecycle action; deadlines are stamped here, never in a view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from ledger.access.principal import Principal
from ledger.agencies.registry import UnknownAgency
from ledger.domain import Action, InvalidCommand, Report, State
from ledger.usecases.appends import Appends, Context, Opts
from ledger.usecases.results import ActionResult


class Actions(Appends):
    """Append lifecycle actions to reports; each method records exactly one event."""

    def put_on_hold(
        self, who: Principal, rid: UUID, opts: Opts, *, reason: str, question: str
    ) -> ActionResult:
        """Put a report on hold (tunda) with a question for the reporter."""

        def run(c: Context, r: Report) -> None:
            r.put_on_hold(c.actor, c.at, reason=reason, question=question)

        return self._run(who, rid, opts, Action.PUT_ON_HOLD, run, reason=reason, question=question)

    def archive(
        self, who: Principal, rid: UUID, opts: Opts, *, reason: str, note: str | None = None
    ) -> ActionResult:
        """Archive a report (diarsipkan) for one of the allowed reasons."""

        def run(c: Context, r: Report) -> None:
            r.archive(c.actor, c.at, reason=reason, note=note)

        return self._run(who, rid, opts, Action.ARCHIVE, run, reason=reason, note=note)

    def verify(self, who: Principal, rid: UUID, opts: Opts, *, handling_class: str) -> ActionResult:
        """Verify a report: stamp its handling class, SLA policy version and verification clock."""

        def run(c: Context, r: Report) -> None:
            stamp = self.stamper.at_verification(
                agency_id=self._stamping_agency(r, who),
                classification=r.classification.value,
                urgency=r.urgency.value,
                handling_class=handling_class,
                submitted_at=r.submitted_at,
                hold=_closed_hold(r, c),
            )
            r.verify(
                c.actor,
                c.at,
                handling_class=handling_class,
                sla_policy=stamp.policy,
                sla_policy_version=stamp.version,
                deadlines=stamp.deadlines,
            )

        return self._run(who, rid, opts, Action.VERIFY, run, handling_class=handling_class)

    def disposition(
        self, who: Principal, rid: UUID, opts: Opts, *, agency_id: str, unit_id: str | None = None
    ) -> ActionResult:
        """Forward a report (disposisi) to an agency, or within the agency to a unit."""

        def run(c: Context, r: Report) -> None:
            self._check_place(who, agency_id, unit_id)
            deadlines = {}
            if r.state is not State.DISPOSITIONED:  # a unit disposition keeps the agency's clock
                deadlines = self.stamper.at_disposition(
                    agency_id=agency_id,
                    classification=r.classification.value,
                    urgency=r.urgency.value,
                    handling_class=None if r.handling_class is None else r.handling_class.value,
                    at=c.at,
                )
            r.disposition(c.actor, c.at, agency_id=agency_id, unit_id=unit_id, deadlines=deadlines)

        return self._run(
            who, rid, opts, Action.DISPOSITION, run, agency_id=agency_id, unit_id=unit_id
        )

    def return_not_authority(
        self, who: Principal, rid: UUID, opts: Opts, *, reason: str
    ) -> ActionResult:
        """Return a report as not this agency's authority (bukan wewenang)."""

        def run(c: Context, r: Report) -> None:
            r.return_not_authority(c.actor, c.at, reason=reason)

        return self._run(who, rid, opts, Action.RETURN_NOT_AUTHORITY, run, reason=reason)

    def follow_up(
        self,
        who: Principal,
        rid: UUID,
        opts: Opts,
        *,
        message: str,
        attachments: Sequence[str] = (),
    ) -> ActionResult:
        """Post a follow-up (tindak lanjut)."""

        def run(c: Context, r: Report) -> None:
            r.follow_up(c.actor, c.at, message=message, attachments=list(attachments))

        return self._run(
            who, rid, opts, Action.FOLLOW_UP, run, message=message, attachments=list(attachments)
        )

    def request_clarification(
        self, who: Principal, rid: UUID, opts: Opts, *, question: str
    ) -> ActionResult:
        """Ask the reporter for clarification."""

        def run(c: Context, r: Report) -> None:
            r.request_clarification(c.actor, c.at, question=question)

        return self._run(who, rid, opts, Action.REQUEST_CLARIFICATION, run, question=question)

    def respond(self, who: Principal, rid: UUID, opts: Opts, *, message: str) -> ActionResult:
        """Relay the reporter's answer (tanggapan pelapor) from an intake channel."""

        def run(c: Context, r: Report) -> None:
            r.respond(c.actor, c.at, message=message)

        return self._run(who, rid, opts, Action.RESPOND, run, message=message)

    def extend_answer_deadline(
        self, who: Principal, rid: UUID, opts: Opts, *, reason: str
    ) -> ActionResult:
        """Extend an information request's answer deadline once (perpanjangan jangka waktu,
        UU 14/2008 Pasal 22(8)): 7 working days from the original deadline, stamped now."""

        def run(c: Context, r: Report) -> None:
            answer_due = r.deadlines.get("kip_answer")
            extended = None
            if answer_due is not None and r.agency_id is not None:
                extended = self.stamper.kip_extension(
                    agency_id=r.agency_id,
                    classification=r.classification.value,
                    urgency=r.urgency.value,
                    answer_due=answer_due,
                )
            r.extend_answer_deadline(c.actor, c.at, reason=reason, extended_due=extended)

        return self._run(who, rid, opts, Action.EXTEND_ANSWER_DEADLINE, run, reason=reason)

    def complete(self, who: Principal, rid: UUID, opts: Opts, *, summary: str) -> ActionResult:
        """Mark a report completed (selesai); the objection window is stamped now."""

        def run(c: Context, r: Report) -> None:
            agency = r.agency_id or self._stamping_agency(r, who)
            deadline = self.stamper.objection_deadline(agency_id=agency, at=c.at)
            r.complete(c.actor, c.at, summary=summary, objection_deadline=deadline)

        return self._run(who, rid, opts, Action.COMPLETE, run, summary=summary)

    def reopen(self, who: Principal, rid: UUID, opts: Opts, *, objection: str) -> ActionResult:
        """Relay the reporter's timely objection (keberatan): the report reopens."""

        def run(c: Context, r: Report) -> None:
            r.reopen(c.actor, c.at, objection=objection)

        return self._run(who, rid, opts, Action.REOPEN, run, objection=objection)

    def escalate(self, who: Principal, rid: UUID, opts: Opts, *, reason: str) -> ActionResult:
        """Escalate a report to Ombudsman RI."""

        def run(c: Context, r: Report) -> None:
            r.escalate(c.actor, c.at, reason=reason)

        return self._run(who, rid, opts, Action.ESCALATE, run, reason=reason)

    def annotate(self, who: Principal, rid: UUID, opts: Opts, *, note: str) -> ActionResult:
        """Add an auditor's annotation."""

        def run(c: Context, r: Report) -> None:
            r.annotate(c.actor, c.at, note=note)

        return self._run(who, rid, opts, Action.ANNOTATE, run, note=note)

    def add_investigation_note(
        self, who: Principal, rid: UUID, opts: Opts, *, note: str
    ) -> ActionResult:
        """Add a sealed WBS investigation note."""

        def run(c: Context, r: Report) -> None:
            r.add_investigation_note(c.actor, c.at, note=note)

        return self._run(who, rid, opts, Action.ADD_INVESTIGATION_NOTE, run, note=note)

    def erase(self, who: Principal, rid: UUID, opts: Opts, *, legal_basis: str) -> ActionResult:
        """Erase personal data (UU 27/2022): the event, then the data key is destroyed."""

        def run(c: Context, r: Report) -> None:
            r.erase_personal_data(c.actor, c.at, legal_basis=legal_basis)

        return self._run(who, rid, opts, Action.ERASE_PERSONAL_DATA, run, legal_basis=legal_basis)

    def _check_place(self, who: Principal, agency_id: str, unit_id: str | None) -> None:
        """The target agency exists and the caller may send there; a unit lies within it."""
        registry = self.stamper.registry
        try:
            self.policy.require_disposition_target(who, agency_id)
            unit = None if unit_id is None else registry.get(unit_id)
        except UnknownAgency as e:
            raise InvalidCommand(str(e), field="unit_id" if unit_id else "agency_id") from None
        if unit is not None and (
            unit.level != "unit" or not registry.is_within(unit.id, agency_id)
        ):
            raise InvalidCommand(f"{unit_id!r} is not a unit of {agency_id!r}", field="unit_id")


def _closed_hold(report: Report, c: Context) -> tuple[datetime, datetime] | None:
    """The report's hold (tunda), ended now if the reporter has not answered it."""
    if report.hold is None:
        return None
    start, end = report.hold
    return start, end or c.at

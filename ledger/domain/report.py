"""The Report aggregate: the event-sourced handling history of one SP4N-LAPOR! report.

Public commands check the lifecycle table and their arguments, then trigger one event
through a private `@event` method. Those methods only assign attributes from the event's
fields, so replaying stored events rebuilds exactly the same report: no clock, random id or
hash is read inside them. Times, ids and deadlines arrive already computed by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate, event

from ledger.domain import events as ev
from ledger.domain import validation as check
from ledger.domain.errors import IllegalTransition, InvalidCommand
from ledger.domain.lifecycle import Action, next_state, require_allowed
from ledger.domain.values import (
    Actor,
    ArchiveReason,
    Channel,
    Classification,
    HandlingClass,
    Privacy,
    Role,
    State,
    Urgency,
)

# Commands whose events carry sealed content: refused once the data key is destroyed.
_SEALING_ACTIONS = frozenset(
    {Action.FOLLOW_UP, Action.RESPOND, Action.REOPEN, Action.ADD_INVESTIGATION_NOTE}
)


class Report(Aggregate):
    """One report (laporan) and the rules of its lifecycle."""

    Submitted = ev.Submitted
    PutOnHold = ev.PutOnHold
    Archived = ev.Archived
    Verified = ev.Verified
    Dispositioned = ev.Dispositioned
    ReturnedNotAuthority = ev.ReturnedNotAuthority
    FollowedUp = ev.FollowedUp
    ClarificationRequested = ev.ClarificationRequested
    Responded = ev.Responded
    Completed = ev.Completed
    Reopened = ev.Reopened
    AnswerDeadlineExtended = ev.AnswerDeadlineExtended
    Escalated = ev.Escalated
    Annotated = ev.Annotated
    InvestigationNoteAdded = ev.InvestigationNoteAdded
    DisclosureRecorded = ev.DisclosureRecorded
    PersonalDataErased = ev.PersonalDataErased

    @classmethod
    def submit(
        cls,
        report_id: UUID,
        *,
        actor: Actor,
        at: datetime,
        classification: Classification | str,
        privacy: Privacy | str,
        urgency: Urgency | str,
        channel: Channel | str,
        target_agency_id: str | None,
        category: str | None,
        title: str,
        body: str,
        reporter: Mapping[str, Any] | None,
        attachments: Sequence[str],
    ) -> Report:
        """Record a new report (laporan masuk); WBS reports must be rahasia."""
        if not isinstance(report_id, UUID):
            raise InvalidCommand("report_id must be a UUID", field="report_id")
        kind = check.choice(Classification, classification, "classification")
        level = check.choice(Privacy, privacy, "privacy")
        if kind is Classification.WBS and level is not Privacy.RAHASIA:
            raise InvalidCommand("WBS reports are always rahasia", field="privacy")
        at = check.utc(at)
        return cls._create(
            cls.Submitted,
            id=report_id,
            timestamp=at,
            actor=actor.as_dict(),
            at=at,
            state=State.SUBMITTED.value,
            classification=kind.value,
            privacy=level.value,
            urgency=check.choice(Urgency, urgency, "urgency").value,
            channel=check.choice(Channel, channel, "channel").value,
            target_agency_id=check.optional_text(target_agency_id, "target_agency_id"),
            category=check.optional_text(category, "category"),
            title=check.text(title, "title"),
            body=check.text(body, "body"),
            reporter=check.plain_dict(reporter, "reporter"),
            attachments=check.text_list(attachments, "attachments"),
        )

    @event(Submitted)
    def __init__(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        state: str,
        classification: str,
        privacy: str,
        urgency: str,
        channel: str,
        target_agency_id: str | None,
        category: str | None,
        title: str | None,
        body: str | None,
        reporter: dict[str, Any] | None,
        attachments: list[str] | None,
    ) -> None:
        self.state = State(state)
        self.classification = Classification(classification)
        self.privacy = Privacy(privacy)
        self.urgency = Urgency(urgency)
        self.channel = Channel(channel)
        self.target_agency_id = target_agency_id
        self.category = category
        self.title = title
        self.body = body
        self.reporter = None if reporter is None else dict(reporter)
        self.attachments = None if attachments is None else list(attachments)
        self.submitted_at = at
        self.agency_id: str | None = None
        self.unit_id: str | None = None
        self.handling_class: HandlingClass | None = None
        self.sla_policy: str | None = None
        self.sla_policy_version: int | None = None
        self.deadlines: dict[str, datetime] = {}
        self.verified_at: datetime | None = None
        self.dispositioned_at: datetime | None = None
        self.first_follow_up_at: datetime | None = None
        self.last_follow_up_at: datetime | None = None
        self.completed_at: datetime | None = None
        self.objection_deadline: datetime | None = None
        self.archive_reason: ArchiveReason | None = None
        self.escalated_from: State | None = None
        self.escalated_at: datetime | None = None
        self.not_authority_returns = 0
        self.dispositions = 0
        self.reopens = 0
        self.returned_by: list[str] = []
        self.awaiting_reporter = False
        self.hold_started_at: datetime | None = None  # tunda: pauses the verification clock
        self.hold_ended_at: datetime | None = None
        self.erased = False

    @property
    def is_wbs(self) -> bool:
        """True for whistleblowing (WBS) reports."""
        return self.classification is Classification.WBS

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        """Trigger an event stamped with its business time, so the domain never reads a clock."""
        kwargs.setdefault("timestamp", kwargs["at"])
        super().trigger_event(event_class, **kwargs)

    def _begin(self, action: Action, actor: Actor, at: datetime) -> dict[str, Any]:
        """Check the lifecycle table and return the clear header of the next event."""
        require_allowed(self.id, self.state, action, awaiting_reporter=self.awaiting_reporter)
        if self.erased and action in _SEALING_ACTIONS:
            raise IllegalTransition(self.id, self.state, action, "personal data erased")
        return {
            "actor": actor.as_dict(),
            "at": check.utc(at),
            "state": next_state(action, self.state).value,
        }

    # -- intake and verification ---------------------------------------------------------

    def put_on_hold(self, actor: Actor, at: datetime, *, reason: str, question: str) -> None:
        """Put the report on hold (tunda) with a question the reporter must answer."""
        head = self._begin(Action.PUT_ON_HOLD, actor, at)
        self._put_on_hold(
            **head, reason=check.text(reason, "reason"), question=check.text(question, "question")
        )

    @event(PutOnHold)
    def _put_on_hold(
        self, *, actor: dict[str, Any], at: datetime, state: str, reason: str, question: str
    ) -> None:
        self.state = State(state)
        self.awaiting_reporter = True
        self.hold_started_at = at
        self.hold_ended_at = None

    def _end_hold(self, at: datetime) -> None:
        """A hold ends at the reporter's first answer, or when the admin verifies or archives."""
        if self.hold_started_at is not None and self.hold_ended_at is None:
            self.hold_ended_at = at

    @property
    def hold(self) -> tuple[datetime, datetime | None] | None:
        """The hold (tunda) that pauses the verification clock: start and end (None while open)."""
        if self.hold_started_at is None:
            return None
        return self.hold_started_at, self.hold_ended_at

    def archive(
        self, actor: Actor, at: datetime, *, reason: ArchiveReason | str, note: str | None = None
    ) -> None:
        """Archive the report (diarsipkan) for one of the allowed reasons."""
        head = self._begin(Action.ARCHIVE, actor, at)
        why = check.choice(ArchiveReason, reason, "reason", "archive reason")
        self._archive(**head, reason=why.value, note=check.optional_text(note, "note"))

    @event(Archived)
    def _archive(
        self, *, actor: dict[str, Any], at: datetime, state: str, reason: str, note: str | None
    ) -> None:
        self.state = State(state)
        self.archive_reason = ArchiveReason(reason)
        self.awaiting_reporter = False
        self._end_hold(at)

    def verify(
        self,
        actor: Actor,
        at: datetime,
        *,
        handling_class: HandlingClass | str,
        sla_policy: str,
        sla_policy_version: int,
        deadlines: Mapping[str, datetime],
    ) -> None:
        """Verify the report and stamp its handling class, SLA policy version and deadlines."""
        head = self._begin(Action.VERIFY, actor, at)
        self._verify(
            **head,
            handling_class=check.choice(HandlingClass, handling_class, "handling_class").value,
            sla_policy=check.text(sla_policy, "sla_policy"),
            sla_policy_version=check.positive_int(sla_policy_version, "sla_policy_version"),
            deadlines=check.deadlines(deadlines),
        )

    @event(Verified)
    def _verify(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        state: str,
        handling_class: str,
        sla_policy: str,
        sla_policy_version: int,
        deadlines: dict[str, datetime],
    ) -> None:
        self.state = State(state)
        self.handling_class = HandlingClass(handling_class)
        self.sla_policy = sla_policy
        self.sla_policy_version = sla_policy_version
        self.deadlines = {**self.deadlines, **deadlines}
        self.verified_at = at
        self.awaiting_reporter = False
        self._end_hold(at)

    # -- disposition (no wrong door) -----------------------------------------------------

    def disposition(
        self,
        actor: Actor,
        at: datetime,
        *,
        agency_id: str,
        unit_id: str | None = None,
        deadlines: Mapping[str, datetime] | None = None,
    ) -> None:
        """Forward the report (disposisi) to an agency, or within its agency to a unit."""
        head = self._begin(Action.DISPOSITION, actor, at)
        agency = check.text(agency_id, "agency_id")
        unit = check.optional_text(unit_id, "unit_id")
        to_unit = self.state is State.DISPOSITIONED
        if to_unit and unit is None:
            raise InvalidCommand(
                "unit_id is required to disposition within an agency", field="unit_id"
            )
        if to_unit and agency != self.agency_id:
            raise InvalidCommand(
                f"a dispositioned report moves only within agency {self.agency_id!r}",
                field="agency_id",
            )
        if to_unit and unit == self.unit_id:
            raise InvalidCommand(f"report is already with unit {unit!r}", field="unit_id")
        self._disposition(
            **head,
            agency_id=agency,
            unit_id=unit,
            to_unit=to_unit,
            deadlines=check.deadlines(deadlines),
        )

    @event(Dispositioned)
    def _disposition(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        state: str,
        agency_id: str,
        unit_id: str | None,
        to_unit: bool,
        deadlines: dict[str, datetime],
    ) -> None:
        self.state = State(state)
        self.agency_id = agency_id
        self.unit_id = unit_id
        kept = self.deadlines
        if not to_unit:  # a new agency's answer clock starts without the old extension
            kept = {k: v for k, v in kept.items() if k != "kip_extension"}
        self.deadlines = {**kept, **deadlines}
        self.dispositions += 1
        if not to_unit:  # a unit disposition does not restart the agency's clock
            self.dispositioned_at = at

    def return_not_authority(self, actor: Actor, at: datetime, *, reason: str) -> None:
        """Return the report as not this agency's authority (bukan wewenang)."""
        head = self._begin(Action.RETURN_NOT_AUTHORITY, actor, at)
        if actor.role is not Role.ADMIN_NATIONAL and actor.agency_id != self.agency_id:
            raise InvalidCommand("not this agency's report", field="agency_id")
        assigned = check.text(self.agency_id, "agency_id")
        self._return_not_authority(**head, agency_id=assigned, reason=check.text(reason, "reason"))

    @event(ReturnedNotAuthority)
    def _return_not_authority(
        self, *, actor: dict[str, Any], at: datetime, state: str, agency_id: str, reason: str
    ) -> None:
        self.state = State(state)
        self.not_authority_returns += 1
        self.returned_by = [*self.returned_by, agency_id]
        self.agency_id = None
        self.unit_id = None
        self.awaiting_reporter = False

    # -- follow-up, clarification and the reporter's answers ----------------------------

    def follow_up(
        self, actor: Actor, at: datetime, *, message: str, attachments: Sequence[str] = ()
    ) -> None:
        """Post a follow-up (tindak lanjut)."""
        head = self._begin(Action.FOLLOW_UP, actor, at)
        self._follow_up(
            **head,
            message=check.text(message, "message"),
            attachments=check.text_list(attachments, "attachments"),
        )

    @event(FollowedUp)
    def _follow_up(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        state: str,
        message: str | None,
        attachments: list[str] | None,
    ) -> None:
        self.state = State(state)
        if self.first_follow_up_at is None:
            self.first_follow_up_at = at
        self.last_follow_up_at = at

    def request_clarification(self, actor: Actor, at: datetime, *, question: str) -> None:
        """Ask the reporter for clarification; the report then awaits the reporter."""
        head = self._begin(Action.REQUEST_CLARIFICATION, actor, at)
        self._request_clarification(**head, question=check.text(question, "question"))

    @event(ClarificationRequested)
    def _request_clarification(
        self, *, actor: dict[str, Any], at: datetime, state: str, question: str
    ) -> None:
        self.state = State(state)
        self.awaiting_reporter = True

    def respond(self, actor: Actor, at: datetime, *, message: str) -> None:
        """Record the reporter's answer (tanggapan pelapor)."""
        head = self._begin(Action.RESPOND, actor, at)
        _require_role(actor, Role.REPORTER, "only the reporter can respond")
        self._respond(**head, message=check.text(message, "message"))

    @event(Responded)
    def _respond(
        self, *, actor: dict[str, Any], at: datetime, state: str, message: str | None
    ) -> None:
        if self.state is State.ON_HOLD and self.awaiting_reporter:
            self._end_hold(at)
        self.state = State(state)
        self.awaiting_reporter = False

    # -- information requests (UU 14/2008) -----------------------------------------------

    def extend_answer_deadline(
        self, actor: Actor, at: datetime, *, reason: str, extended_due: datetime | None
    ) -> None:
        """Extend an information request's answer deadline once (perpanjangan jangka waktu).

        UU 14/2008 Pasal 22(8): only an information request, only while its answer is pending
        with the handling agency (state `dispositioned`), only once per agency's answer clock,
        only by the agency's admin or liaison, with a written reason, and no later than the
        original `kip_answer` deadline. `extended_due` is computed by the caller's SLA policy.
        """
        head = self._begin(Action.EXTEND_ANSWER_DEADLINE, actor, at)
        action = Action.EXTEND_ANSWER_DEADLINE
        if self.classification is not Classification.PERMINTAAN_INFORMASI:
            raise InvalidCommand("only an information request's answer deadline is extended")
        if actor.role not in (Role.ADMIN_AGENCY, Role.LIAISON):
            raise InvalidCommand(
                "only the handling agency's admin or liaison extends", field="actor"
            )
        original = self.deadlines.get("kip_answer")
        if original is None:
            raise IllegalTransition(self.id, self.state, action, "no answer deadline stamped")
        if "kip_extension" in self.deadlines:
            raise IllegalTransition(self.id, self.state, action, "already extended once")
        if head["at"] > original:
            raise InvalidCommand("the original answer deadline has passed", field="at")
        due = check.utc(extended_due, "extended_due")
        if due <= original:
            raise InvalidCommand("extended_due must be after the original", field="extended_due")
        self._extend_answer_deadline(
            **head, reason=check.text(reason, "reason"), deadlines={"kip_extension": due}
        )

    @event(AnswerDeadlineExtended)
    def _extend_answer_deadline(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        state: str,
        reason: str,
        deadlines: dict[str, datetime],
    ) -> None:
        self.state = State(state)
        self.deadlines = {**self.deadlines, **deadlines}

    # -- completion, objection, escalation -----------------------------------------------

    def complete(
        self,
        actor: Actor,
        at: datetime,
        *,
        summary: str,
        objection_deadline: datetime,
        auto: bool = False,
    ) -> None:
        """Mark the report completed (selesai); auto=True is the auto-close timer's."""
        head = self._begin(Action.COMPLETE, actor, at)
        if not isinstance(auto, bool):
            raise InvalidCommand("auto must be true or false", field="auto")
        if auto and actor.role is not Role.SYSTEM:
            raise InvalidCommand("only the system timer auto-completes", field="auto")
        if auto and self.state is not State.IN_FOLLOW_UP:
            raise IllegalTransition(
                self.id, self.state, Action.COMPLETE, "the reporter has responded"
            )
        deadline = check.utc(objection_deadline, "objection_deadline")
        if deadline < head["at"]:
            raise InvalidCommand("objection_deadline is before at", field="objection_deadline")
        self._complete(
            **head,
            summary=check.text(summary, "summary"),
            auto=auto,
            objection_deadline=deadline,
        )

    @event(Completed)
    def _complete(
        self,
        *,
        actor: dict[str, Any],
        at: datetime,
        state: str,
        summary: str,
        auto: bool,
        objection_deadline: datetime,
    ) -> None:
        self.state = State(state)
        self.completed_at = at
        self.objection_deadline = objection_deadline
        self.awaiting_reporter = False

    def reopen(self, actor: Actor, at: datetime, *, objection: str) -> None:
        """Reopen a completed report on the reporter's timely objection (keberatan)."""
        head = self._begin(Action.REOPEN, actor, at)
        _require_role(actor, Role.REPORTER, "only the reporter can object")
        if self.objection_deadline is None or head["at"] > self.objection_deadline:
            raise InvalidCommand("objection after deadline", field="at")
        self._reopen(**head, objection=check.text(objection, "objection"))

    @event(Reopened)
    def _reopen(
        self, *, actor: dict[str, Any], at: datetime, state: str, objection: str | None
    ) -> None:
        self.state = State(state)
        self.reopens += 1

    def escalate(self, actor: Actor, at: datetime, *, reason: str) -> None:
        """Escalate the report to Ombudsman RI."""
        head = self._begin(Action.ESCALATE, actor, at)
        self._escalate(**head, reason=check.text(reason, "reason"), escalated_from=self.state.value)

    @event(Escalated)
    def _escalate(
        self, *, actor: dict[str, Any], at: datetime, state: str, reason: str, escalated_from: str
    ) -> None:
        self.state = State(state)
        self.escalated_from = State(escalated_from)
        self.escalated_at = at
        self.awaiting_reporter = False

    # -- audit records that never change the state ---------------------------------------

    def annotate(self, actor: Actor, at: datetime, *, note: str) -> None:
        """Add an auditor's annotation (Ombudsman, KID) in any state."""
        head = self._begin(Action.ANNOTATE, actor, at)
        self._annotate(**head, note=check.text(note, "note"))

    @event(Annotated)
    def _annotate(self, *, actor: dict[str, Any], at: datetime, state: str, note: str) -> None:
        self.state = State(state)

    def add_investigation_note(self, actor: Actor, at: datetime, *, note: str) -> None:
        """Add a sealed WBS investigation note (Inspektorat / APIP only)."""
        head = self._begin(Action.ADD_INVESTIGATION_NOTE, actor, at)
        if not self.is_wbs:
            raise InvalidCommand("investigation notes are for WBS reports only")
        _require_role(
            actor, Role.WBS_INVESTIGATOR, "only a WBS investigator adds investigation notes"
        )
        self._add_investigation_note(**head, note=check.text(note, "note"))

    @event(InvestigationNoteAdded)
    def _add_investigation_note(
        self, *, actor: dict[str, Any], at: datetime, state: str, note: str | None
    ) -> None:
        self.state = State(state)

    def record_disclosure(
        self, actor: Actor, at: datetime, *, fields: Sequence[str], purpose: str
    ) -> None:
        """Record who was shown which sealed fields, and for what stated purpose."""
        head = self._begin(Action.RECORD_DISCLOSURE, actor, at)
        names = check.text_list(fields, "fields")
        unknown = sorted(set(names) - ev.SEALED_FIELD_NAMES)
        if not names or unknown:
            raise InvalidCommand(
                f"fields must name sealed fields; unknown: {unknown}", field="fields"
            )
        self._record_disclosure(**head, fields=names, purpose=check.text(purpose, "purpose"))

    @event(DisclosureRecorded)
    def _record_disclosure(
        self, *, actor: dict[str, Any], at: datetime, state: str, fields: list[str], purpose: str
    ) -> None:
        self.state = State(state)

    def erase_personal_data(self, actor: Actor, at: datetime, *, legal_basis: str) -> None:
        """Erase personal data (UU 27/2022); storage destroys the data key after saving."""
        head = self._begin(Action.ERASE_PERSONAL_DATA, actor, at)
        if self.erased:
            raise IllegalTransition(
                self.id, self.state, Action.ERASE_PERSONAL_DATA, "personal data already erased"
            )
        self._erase_personal_data(**head, legal_basis=check.text(legal_basis, "legal_basis"))

    @event(PersonalDataErased)
    def _erase_personal_data(
        self, *, actor: dict[str, Any], at: datetime, state: str, legal_basis: str
    ) -> None:
        self.state = State(state)
        self.erased = True
        self.title = None
        self.body = None
        self.reporter = None
        self.attachments = None


def _require_role(actor: Actor, role: Role, message: str) -> None:
    """Raise InvalidCommand unless the actor has the role the domain rule demands."""
    if actor.role is not role:
        raise InvalidCommand(message, field="actor")

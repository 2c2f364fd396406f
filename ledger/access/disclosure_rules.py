"""Which sealed fields each role may see, on which reports, for which stated purpose.

Everything not granted here stays sealed. Reading a report's clear header and hashes is
not a disclosure; every grant below that is used is recorded on the report as an event.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.access.relations import Purpose, Relation
from ledger.domain import Classification, Privacy, Report, Role

CONTENT = frozenset({"title", "body", "attachments", "message", "objection"})
IDENTITY = frozenset({"reporter"})
INVESTIGATION_NOTES = frozenset({"note"})


@dataclass(frozen=True)
class DisclosureRule:
    """One grant: roles in a relation to a report of a kind may see fields for purposes."""

    roles: frozenset[Role]
    relations: frozenset[Relation]
    wbs: bool | None  # True: WBS reports only; False: non-WBS only; None: both
    purposes: frozenset[Purpose]
    fields: frozenset[str]
    privacy: frozenset[Privacy] | None = None  # None: any privacy level
    classifications: frozenset[Classification] | None = None  # None: any

    def applies(
        self, role: Role, relations: frozenset[Relation], purpose: Purpose, report: Report
    ) -> bool:
        """Whether this rule grants its fields in this situation."""
        return (
            role in self.roles
            and bool(self.relations & relations)
            and purpose in self.purposes
            and (self.wbs is None or self.wbs == report.is_wbs)
            and (self.privacy is None or report.privacy in self.privacy)
            and (self.classifications is None or report.classification in self.classifications)
        )


def _rule(
    roles: set[Role],
    relations: set[Relation],
    wbs: bool | None,
    purpose: Purpose,
    fields: frozenset[str],
    *,
    privacy: set[Privacy] | None = None,
    classifications: set[Classification] | None = None,
) -> DisclosureRule:
    return DisclosureRule(
        frozenset(roles),
        frozenset(relations),
        wbs,
        frozenset({purpose}),
        fields,
        None if privacy is None else frozenset(privacy),
        None if classifications is None else frozenset(classifications),
    )


_AGENCY_STAFF = {Role.ADMIN_AGENCY, Role.LIAISON}
_HANDLES = {Relation.HANDLING, Relation.INTAKE}
_ANY = {Relation.ANY}

DISCLOSURE_RULES: tuple[DisclosureRule, ...] = (
    # Admin Nasional verifies every report: content, and the identity unless anonim.
    _rule({Role.ADMIN_NATIONAL}, _ANY, False, Purpose.HANDLING, CONTENT),
    _rule(
        {Role.ADMIN_NATIONAL},
        _ANY,
        False,
        Purpose.HANDLING,
        IDENTITY,
        privacy={Privacy.PUBLIC, Privacy.RAHASIA},
    ),
    # The handling agency reads the complaint; the reporter's identity only if public.
    _rule(_AGENCY_STAFF, _HANDLES, False, Purpose.HANDLING, CONTENT),
    _rule(
        _AGENCY_STAFF,
        _HANDLES,
        False,
        Purpose.HANDLING,
        IDENTITY,
        privacy={Privacy.PUBLIC},
    ),
    # Ombudsman RI examines content for maladministration (UU 37/2008), never identities.
    _rule({Role.OMBUDSMAN_AUDITOR}, _ANY, False, Purpose.AUDIT, CONTENT),
    # Komisi Informasi examines information requests (UU 14/2008).
    _rule(
        {Role.KID_AUDITOR},
        _ANY,
        False,
        Purpose.AUDIT,
        CONTENT,
        classifications={Classification.PERMINTAAN_INFORMASI},
    ),
    # WBS: only the Inspektorat / APIP of the handling agency, for the investigation.
    _rule(
        {Role.WBS_INVESTIGATOR},
        {Relation.HANDLING},
        True,
        Purpose.INVESTIGATION,
        CONTENT | IDENTITY | INVESTIGATION_NOTES,
    ),
    # The receipt holder reads the agency's answers (follow-up messages) on the timeline.
    _rule(
        {Role.REPORTER},
        {Relation.RECEIPT},
        None,
        Purpose.REPORTER_STATUS,
        frozenset({"message"}),
    ),
)

"""The words of the access policy: relations to a report and stated purposes."""

from __future__ import annotations

from enum import StrEnum


class Relation(StrEnum):
    """How a principal stands to a report."""

    ANY = "any"  # every report: national admin, auditors, intake channels
    HANDLING = "handling"  # dispositioned to the principal's agency or one of its units
    INTAKE = "intake"  # sent straight to the principal's agency, never dispositioned yet
    HUB = "hub"  # handled by an agency under the principal's hub (read only)
    RECEIPT = "receipt"  # the whistleblower holding the report's receipt


class Purpose(StrEnum):
    """Why sealed content is asked for; stated in `X-Purpose` and recorded on the report."""

    HANDLING = "handling"  # penanganan: verify, disposition, follow up
    AUDIT = "audit"  # pemeriksaan by Ombudsman RI or Komisi Informasi
    INVESTIGATION = "investigation"  # WBS investigation by Inspektorat / APIP
    REPORTER_STATUS = "reporter_status"  # the receipt holder reading the answers

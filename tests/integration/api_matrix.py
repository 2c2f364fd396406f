"""The cast of the authorization matrix: one token per role and agency, reports with markers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.integration.api_support import Api

# name -> (role, agency); None is the anonymous caller.
PRINCIPALS: dict[str, tuple[str, str | None] | None] = {
    "anonymous": None,
    "reporter": ("reporter", None),
    "admin_national": ("admin_national", "kemenpanrb"),
    "admin_serang": ("admin_agency", "kota-serang"),
    "admin_sleman": ("admin_agency", "kab-sleman"),
    "admin_banten_hub": ("admin_agency", "prov-banten"),
    "liaison_serang": ("liaison", "kota-serang"),
    "liaison_sleman": ("liaison", "kab-sleman"),
    "ombudsman": ("ombudsman_auditor", "ombudsman-ri"),
    "kid": ("kid_auditor", "ki-pusat"),
    "apip_serang": ("wbs_investigator", "kota-serang"),
    "apip_sleman": ("wbs_investigator", "kab-sleman"),
    "witness": ("witness", None),
}

# sealed field -> marker prefix; every report's plaintext is MARKER-<report key>
MARKERS = {
    "title": "JUDUL",
    "body": "ISI",
    "attachments": "LAMPIRAN",
    "reporter": "NAMA",
    "message": "TINDAK",
    "note": "CATATAN",
}
CONTENT = frozenset({"title", "body", "attachments", "message"})
IDENTITY = frozenset({"reporter"})
NOTES = frozenset({"note"})

# report key -> (classification, privacy, handling agency)
REPORTS: dict[str, tuple[str, str, str]] = {
    "public": ("pengaduan", "public", "kota-serang"),
    "anonim": ("pengaduan", "anonim", "kota-serang"),
    "wbs": ("wbs", "rahasia", "kota-serang"),
    "info": ("permintaan_informasi", "public", "kota-serang"),
    "sleman": ("pengaduan", "public", "kab-sleman"),
}


def marker(field_name: str, report: str) -> str:
    """The plaintext a sealed field of a report holds."""
    return f"{MARKERS[field_name]}-{report.upper()}"


@dataclass
class Cast:
    """Tokens by principal name, their token ids, and report ids by key."""

    tokens: dict[str, str | None] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)

    def token_id(self, name: str) -> str | None:
        token = self.tokens[name]
        return None if token is None else token.split("_")[1]


def issue_tokens(api: Api) -> Cast:
    """One token per principal (none for the anonymous caller)."""
    cast = Cast()
    for name, binding in PRINCIPALS.items():
        cast.tokens[name] = None if binding is None else api.token(*binding)
    return cast


def dispositioned(api: Api, cast: Cast, key: str, **extra: Any) -> str:
    """Submit, verify and disposition a marked report; follow it up; WBS gets a note."""
    classification, privacy, agency = REPORTS[key]
    rid = api.submit(
        classification=classification,
        privacy=privacy,
        title=marker("title", key),
        body=marker("body", key),
        attachments=[marker("attachments", key)],
        reporter={"name": marker("reporter", key)},
        **extra,
    )["report_id"]
    admin = cast.tokens["admin_national"]
    api.ok(admin, rid, "verify", {"handling_class": "normatif"})
    api.ok(admin, rid, "disposition", {"agency_id": agency})
    liaison = api.token("liaison", agency)
    api.ok(liaison, rid, "follow_up", {"message": marker("message", key)})
    if classification == "wbs":
        apip = api.token("wbs_investigator", agency)
        api.ok(apip, rid, "add_investigation_note", {"note": marker("note", key)})
    return rid


def all_markers() -> set[str]:
    """Every sealed plaintext of every report."""
    return {marker(f, r) for f in MARKERS for r in REPORTS}

"""Small export bundles of report histories, with stored payloads shaped like the ledger's.

Three reports addressed to Kota Serang: A is verified, dispositioned to the city, followed up
and completed; B is archived; C is verified, dispositioned to the city, returned as "bukan
wewenang" and re-dispositioned by Admin Nasional to Kabupaten Tangerang. Sealed fields are
envelopes the verifier never opens. Hashes come from verify/entry.py (tested on its own).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tests.unit.verify.bundles import A, B, Bundle, C, stated_hash
from verify.entry import ZERO_HASH

Event = tuple[str, dict[str, Any]]  # short event type, stored payload
T0 = datetime(2022, 3, 1, 2, 0, tzinfo=UTC)
CITY = {"id": "admin.kota-serang", "role": "admin_agency", "agency_id": "kota-serang"}
LIAISON = {"id": "liaison.kota-serang", "role": "liaison", "agency_id": "kota-serang"}
NATIONAL = {"id": "admin.kemenpanrb", "role": "admin_national", "agency_id": "kemenpanrb"}
REPORTER = {"id": None, "role": "reporter", "agency_id": None}
SEALED = {"$sealed": 1, "alg": "A256GCM", "kid": "5b61b70ce76e5e1b", "ct": "AAAA"}
REGISTRY = {
    "format": 1,
    "agencies": [
        {"id": "kemenpanrb", "parent": None, "is_hub": True, "name": "KemenPANRB"},
        {"id": "prov-banten", "parent": "kemenpanrb", "is_hub": True},
        {"id": "kota-serang", "parent": "prov-banten", "is_hub": False},
        {"id": "kab-tangerang", "parent": "prov-banten", "is_hub": False},
    ],
}


def at(hours: float) -> dict[str, str]:
    """A time `hours` after T0, tagged as the event store stores it."""
    return {"_type_": "datetime_iso", "_data_": (T0 + timedelta(hours=hours)).isoformat()}


def _submitted(h: float) -> Event:
    fields = {"classification": "pengaduan", "privacy": "public", "urgency": "normal"}
    fields |= {"target_agency_id": "kota-serang", "title": SEALED, "body": SEALED}
    return "Submitted", {"actor": REPORTER, "at": at(h), "state": "submitted", **fields}


def _verified(h: float) -> Event:
    stamp = {"handling_class": "ringan", "sla_policy": "national-2018", "sla_policy_version": 1}
    deadlines = {"verification": at(h + 24)}
    return "Verified", {
        "actor": CITY,
        "at": at(h),
        "state": "verified",
        **stamp,
        "deadlines": deadlines,
    }


def _dispositioned(h: float, actor: dict[str, Any], agency: str) -> Event:
    deadlines = {"first_follow_up": at(h + 48), "completion": at(h + 96)}
    return "Dispositioned", {
        "actor": actor, "at": at(h), "state": "dispositioned", "agency_id": agency,
        "unit_id": None, "to_unit": False, "deadlines": deadlines,
    }  # fmt: skip


def _event(name: str, h: float, actor: dict[str, Any], state: str, **more: Any) -> Event:
    return name, {"actor": actor, "at": at(h), "state": state, **more}


HISTORIES: dict[UUID, list[Event]] = {
    A: [
        _submitted(0),
        _verified(5),
        _dispositioned(6, CITY, "kota-serang"),
        _event("FollowedUp", 30, LIAISON, "in_follow_up", message=SEALED),
        _event("Completed", 200, LIAISON, "completed", auto=False, summary=SEALED),
    ],
    B: [_submitted(1), _event("Archived", 3, CITY, "archived", reason="duplicate")],
    C: [
        _submitted(2),
        _verified(40),
        _dispositioned(41, CITY, "kota-serang"),
        _event("ReturnedNotAuthority", 50, CITY, "returned_not_authority", agency_id="kota-serang"),
        _dispositioned(60, NATIONAL, "kab-tangerang"),
    ],
}


def report_bundle(histories: dict[UUID, list[Event]] | None = None) -> Bundle:
    """The histories as a bundle, their events interleaved by report (A1 B1 C1 A2 ...)."""
    chosen = HISTORIES if histories is None else histories
    entries: list[dict[str, Any]] = []
    last: dict[UUID, bytes] = {}
    longest = max(len(h) for h in chosen.values())
    for version in range(1, longest + 1):
        for stream, history in chosen.items():
            if version <= len(history):
                name, values = history[version - 1]
                entries.append(
                    entry(len(entries), stream, version, name, values, last.get(stream, ZERO_HASH))
                )
                last[stream] = bytes.fromhex(entries[-1]["entry_hash"])
    return Bundle(entries)


def entry(
    leaf_index: int, stream: UUID, version: int, name: str, values: dict[str, Any], prev: bytes
) -> dict[str, Any]:
    """One entry line whose payload is the event's stored JSON."""
    payload = json.dumps(values, separators=(",", ":")).encode()
    line = {
        "kind": "entry",
        "leaf_index": leaf_index,
        "stream_id": str(stream),
        "stream_version": version,
        "event_type": f"ledger.domain.report:Report.{name}",
        "recorded_at_us": 1_646_100_000_000_000 + leaf_index,
        "prev_hash": prev.hex(),
        "entry_hash": "",
        "payload": base64.b64encode(payload).decode(),
    }
    line["entry_hash"] = stated_hash(line).hex()
    return line

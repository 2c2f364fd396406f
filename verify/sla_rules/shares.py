"""Where a report counts: its status bucket nationally and in each agency involved with it."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import NamedTuple

from verify.sla_rules.record import ClockRecord

WIB = timezone(timedelta(hours=7), "WIB")
"""Reports are counted on the day of submission in WIB, the national admin's time zone."""

BUCKETS = (
    "unverified",
    "archived",
    "awaiting_disposition",
    "forwarded",
    "not_followed_up",
    "in_process",
    "resolved",
    "escalated",
)
STATE_BUCKET = {
    "submitted": "unverified",
    "on_hold": "unverified",
    "archived": "archived",
    "verified": "awaiting_disposition",
    "returned_not_authority": "awaiting_disposition",
    "dispositioned": "not_followed_up",
    "in_follow_up": "in_process",
    "reporter_responded": "in_process",
    "reopened": "in_process",
    "completed": "resolved",
    "escalated": "escalated",
}


class Share(NamedTuple):
    """How one report counts for one group: nationally (agency None) or for one agency (an
    immutable tuple)."""

    agency_id: str | None
    bucket: str
    returns: int
    redispositions: int
    handling: bool  # the group is handling the report (it is dispositioned to it)
    followed_up: bool  # ... and the report has been followed up since


def report_day(record: ClockRecord) -> date:
    """The day a report counts on: its submission date in WIB."""
    return record.submitted_at.astimezone(WIB).date()


def bucket_of(state: str) -> str:
    """The status bucket of a report state."""
    try:
        return STATE_BUCKET[state]
    except KeyError:
        raise ValueError(f"unknown report state {state!r}") from None


def national_share(record: ClockRecord) -> Share:
    """How the report counts nationally: once, by its state."""
    handling = record.agency_id is not None
    return Share(
        agency_id=None,
        bucket=bucket_of(record.state),
        returns=record.returns,
        redispositions=record.redispositions,
        handling=handling,
        followed_up=handling and record.first_follow_up_at is not None,
    )


def agency_shares(record: ClockRecord) -> list[Share]:
    """How the report counts for each agency: the handling one, those that returned it as
    "bukan wewenang", and the intake agency, one share each."""
    involved = {i.agency_id: i for i in record.involvements}
    agencies = sorted({*involved, record.intake_agency})
    shares = []
    for agency in agencies:
        mine = involved.get(agency)
        returns = mine.returns if mine else 0
        again = int(mine.redisposition) if mine else 0
        if agency == record.agency_id:
            followed = record.first_follow_up_at is not None
            bucket, handling = bucket_of(record.state), True
        elif mine is not None and mine.returned:
            bucket, handling, followed = "forwarded", False, False
        elif record.agency_id is None:  # the intake agency, report not with any agency
            bucket, handling, followed = bucket_of(record.state), False, False
        else:  # the intake agency passed it on
            bucket, handling, followed = "forwarded", False, False
        shares.append(Share(agency, bucket, returns, again, handling, followed))
    return shares

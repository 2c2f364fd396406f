"""Drive the HTTP API: each planned action becomes its call, conditional on the ETag."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from ledger.demo_plans import Step
from ledger.domain import Report
from ledger.load.schedule import Batch, Planned, Progress, Schedule, Stats, play

SUBMIT_FIELDS = (
    "classification", "privacy", "urgency", "channel", "target_agency_id",
    "category", "title", "body", "reporter", "attachments",
)  # fmt: skip
# event type -> (API action, body fields taken from the event)
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "PutOnHold": ("put_on_hold", ("reason", "question")),
    "Archived": ("archive", ("reason",)),
    "Verified": ("verify", ("handling_class",)),
    "Dispositioned": ("disposition", ("agency_id", "unit_id")),
    "ReturnedNotAuthority": ("return_not_authority", ("reason",)),
    "FollowedUp": ("follow_up", ("message",)),
    "ClarificationRequested": ("request_clarification", ("question",)),
    "Responded": ("respond", ("message",)),
    "Completed": ("complete", ("summary",)),
    "Reopened": ("reopen", ("objection",)),
    "AnswerDeadlineExtended": ("extend_answer_deadline", ("reason",)),
    "Escalated": ("escalate", ("reason",)),
    "InvestigationNoteAdded": ("add_investigation_note", ("note",)),
    "PersonalDataErased": ("erase", ("legal_basis",)),
}


def token_for(tokens: Mapping[str, str], actor: Mapping[str, Any]) -> str | None:
    """The caller's token for an actor: by "role:agency", else by "role"."""
    role, agency = actor.get("role"), actor.get("agency_id")
    return tokens.get(f"{role}:{agency}") or tokens.get(str(role))


def request_of(step: Step, shadow: dict[UUID, Report]) -> tuple[str | None, dict[str, Any], Any]:
    """Play a step on the report's local shadow: (action or None for submit, body, actor)."""
    if step.submit is not None:
        report = step.submit()
        event: Any = report.collect_events()[-1]
        shadow[step.report_id] = report
        body = {f: getattr(event, f) for f in SUBMIT_FIELDS}
        return None, {k: v for k, v in body.items() if v is not None}, event.actor
    report = shadow[step.report_id]
    assert step.command is not None
    step.command(report, step.at)
    event = report.collect_events()[-1]
    action, fields = ACTIONS[type(event).__name__]
    body = {f: getattr(event, f) for f in fields if getattr(event, f) is not None}
    return action, body, event.actor


class Client:
    """One keep-alive connection to the service."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        """POST JSON; returns the status and the decoded answer."""
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **headers}
        try:
            self.conn.request("POST", path, data, headers)
            answer = self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # once more on a fresh connection
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.conn.request("POST", path, data, headers)
            answer = self.conn.getresponse()
        raw = answer.read()
        return answer.status, json.loads(raw) if raw else None


def http_batch(url: str, tokens: Mapping[str, str]) -> Batch:
    """A thread's client: one call per step, If-Match the version last seen; a report is
    forgotten after its last step."""
    client = Client(url)
    shadow: dict[UUID, Report] = {}
    served: dict[UUID, tuple[str, int]] = {}  # planned id -> (server id, version)

    def call(planned: Planned, stats: Stats) -> None:
        step = planned.step
        if step.submit is None and step.report_id not in served:
            with stats.lock:
                stats.errors["skipped"] += 1
            return
        action, body, actor = request_of(step, shadow)
        token = token_for(tokens, actor) if action else tokens.get("reporter")
        if action and token is None:
            with stats.lock:
                stats.errors[f"no token {actor.get('role')}"] += 1
            return
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if action is None:
            path = "/v1/reports"
        else:
            server_id, version = served[step.report_id]
            path = f"/v1/reports/{server_id}/actions/{action}"
            headers["If-Match"] = f'"{version}"'
        began = time.perf_counter()
        status, answer = client.post(path, body, headers)
        latency = time.perf_counter() - began
        ok = status in (200, 201)
        if ok:
            served[step.report_id] = (str(answer["report_id"]), int(answer["version"]))
        with stats.lock:
            stats.latencies.append(latency)
            if ok:
                stats.events += 1
                if action is None:
                    report = shadow[step.report_id]
                    stats.submitted(report.classification.value, planned.arrival)
            elif status in (409, 412):
                stats.conflicts += 1
            else:
                stats.errors[str(status)] += 1

    def run(steps: Sequence[Planned], stats: Stats) -> None:
        for planned in steps:
            try:
                call(planned, stats)
            finally:
                if planned.last:
                    shadow.pop(planned.step.report_id, None)
                    served.pop(planned.step.report_id, None)

    return run


def run_http(
    url: str,
    tokens: Mapping[str, str],
    schedule: Schedule,
    *,
    seconds: float | None = None,
    progress: Progress | None = None,
) -> Stats:
    """Play the schedule against the service at `url` with the caller's tokens."""
    return play(
        schedule,
        lambda: http_batch(url, tokens),
        seconds=seconds,
        max_batch=1,
        progress=progress,
    )

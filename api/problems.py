"""Every error as RFC 9457 problem details; the one place that maps errors to HTTP statuses."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ledger.access.errors import (
    Forbidden,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    RateLimited,
    ReceiptNotRecognised,
    Unauthenticated,
    UnknownToken,
)
from ledger.agencies.registry import UnknownAgency
from ledger.domain import (
    IllegalTransition,
    InvalidCommand,
    LedgerError,
    ReportNotFound,
    VersionConflict,
)
from ledger.tlog import (
    CheckpointNotFound,
    ForgedCosignature,
    InconsistentCosignature,
    MalformedCosignature,
    TlogError,
    TreeNotIntegrated,
    UnknownCheckpoint,
    UnknownWitness,
)
from ledger.usecases.logaccess import BadLogRange, NotInLog, NotYetCheckpointed
from projections.paging import InvalidCursor
from projections.sla_status import UnknownReport

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = "https://lapor.go.id/ledger/problems/"

# error class -> (status, problem slug, title); the most specific class wins.
STATUSES: dict[type[Exception], tuple[int, str, str]] = {
    Unauthenticated: (401, "unauthenticated", "A valid bearer token is required"),
    Forbidden: (403, "forbidden", "Not allowed for this role"),
    ReportNotFound: (404, "report-not-found", "Report not found"),
    ReceiptNotRecognised: (404, "receipt-not-recognised", "Receipt not recognised"),
    UnknownAgency: (404, "agency-not-found", "Agency not found"),
    UnknownToken: (404, "token-not-found", "Token not found"),
    IllegalTransition: (409, "illegal-transition", "Action not allowed in this state"),
    IdempotencyInProgress: (409, "idempotency-in-progress", "Same request still in progress"),
    VersionConflict: (412, "stale-version", "The report changed since it was read"),
    IdempotencyKeyReused: (422, "idempotency-key-reused", "Idempotency-Key reused"),
    InvalidCommand: (422, "invalid-command", "The command is not valid"),
    RateLimited: (429, "rate-limited", "Too many attempts"),
    BadLogRange: (400, "bad-range", "Range or size not valid"),
    NotInLog: (404, "not-in-log", "Not in the log"),
    NotYetCheckpointed: (404, "not-yet-checkpointed", "Not yet covered by a signed checkpoint"),
    CheckpointNotFound: (404, "checkpoint-not-found", "No such signed checkpoint"),
    TreeNotIntegrated: (404, "not-in-log", "Not in the log"),
    MalformedCosignature: (400, "malformed-cosignature", "The cosigned note cannot be read"),
    UnknownWitness: (403, "unknown-witness", "Not a configured witness key"),
    ForgedCosignature: (403, "forged-cosignature", "The cosignature does not verify"),
    UnknownCheckpoint: (409, "unknown-checkpoint", "Not a checkpoint this log signed"),
    InconsistentCosignature: (409, "inconsistent-cosignature", "Inconsistent with the log"),
    InvalidCursor: (422, "invalid-cursor", "Not a cursor this service handed out"),
    UnknownReport: (404, "not-yet-projected", "Not yet in the projections"),
}
CONCURRENT = (409, "concurrent-append", "Another action was appended at the same time")


def problem(
    status: int,
    title: str,
    *,
    slug: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem-details response."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES + slug if slug else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def _mapped(error: Exception) -> tuple[int, str, str]:
    if isinstance(error, VersionConflict) and error.actual is None:
        return CONCURRENT
    for cls in type(error).__mro__:
        if cls in STATUSES:
            return STATUSES[cls]
    raise LookupError(type(error).__name__)


def ledger_error(error: Exception) -> Response:
    """A refusal of the ledger, the access layer or the log: nothing was written."""
    try:
        status, slug, title = _mapped(error)
    except LookupError:  # a log error without a client-side cause (keys, inconsistent tree)
        return unexpected(error)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="lapor-ledger"'
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, NotYetCheckpointed):
        headers["Retry-After"] = "1"  # the publisher signs every half second by default
    if isinstance(error, UnknownReport):
        headers["Retry-After"] = "1"  # the follower catches up every second
    if isinstance(error, InvalidCursor):
        extra["errors"] = {"query": {"cursor": [str(error)]}}
    if isinstance(error, InvalidCommand):
        extra["errors"] = {error.field or "request": [str(error)]}
    detail = str(error.args[0]) if isinstance(error, UnknownAgency) else str(error)
    return problem(status, title, slug=slug, detail=detail, headers=headers, **extra)


def http_error(error: HTTPException) -> Response:
    """Werkzeug and webargs errors (404 routes, 405, 413, 422 validation, …)."""
    data = getattr(error, "data", None) or {}
    extra: dict[str, Any] = {}
    if "messages" in data:
        extra["errors"] = data["messages"]
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    status = error.code or 500
    return problem(status, error.name, detail=error.description, headers=headers, **extra)


READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction: a hot standby (replica) refusing a write


def _read_only(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:  # the driver's error may be wrapped by the recorder's
        if getattr(error, "sqlstate", None) == READ_ONLY_SQLSTATE:
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def unexpected(error: Exception) -> Response:
    """Anything else: logged here with its traceback, a generic problem to the client.

    A write refused because the database is a read-only replica is the deployment's routing,
    not a fault: 503 with a problem saying so (writes go to the primary, docs/deploy.md).
    """
    if _read_only(error):
        log.warning(
            "write refused by a read-only database on %s %s",
            request.method,
            request.path,
            exc_info=error,
        )
        return problem(
            503,
            "This node serves reads only",
            slug="read-only-node",
            detail="Writes, and reads that record a disclosure, go to the primary.",
        )
    log.exception("unhandled error on %s %s", request.method, request.path, exc_info=error)
    return problem(
        500, "Internal Server Error", detail="The server could not complete the request."
    )


def register(app: Flask) -> None:
    """Install the handlers (HTTP errors go through the Api, see api.openapi)."""
    app.register_error_handler(LedgerError, ledger_error)
    app.register_error_handler(UnknownAgency, ledger_error)
    app.register_error_handler(TlogError, ledger_error)
    app.register_error_handler(InvalidCursor, ledger_error)
    app.register_error_handler(UnknownReport, ledger_error)
    app.register_error_handler(Exception, unexpected)

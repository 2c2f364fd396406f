"""The transparency log (/v1/log): checkpoints, proofs, entries, keys and cosignatures.

Reads are public; posting a cosignature needs a `witness` token. The contract is the last
section of docs/transparency-log.md. Bad query values are 400, as in RFC 6962.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import usecases
from api.schemas.log import (
    CheckpointArgs,
    ConsistencyArgs,
    ConsistencyOut,
    CosignatureOut,
    EntriesArgs,
    InclusionArgs,
    InclusionOut,
    LogKeysOut,
)
from ledger.access.principal import Principal
from ledger.usecases.log_results import (
    ConsistencyProof,
    CosignatureAccepted,
    InclusionProof,
    LogKeysView,
)

blp = Blueprint("log", __name__, url_prefix="/v1/log", description="Transparency log")

TEXT = "text/plain"
NDJSON = "application/x-ndjson"
STRING: dict[str, Any] = {"type": "string"}


def text(body: str, mimetype: str = TEXT) -> Response:
    """A plain-text (or other text) answer, UTF-8."""
    return Response(body, mimetype=mimetype)


@blp.route("/checkpoint")
class Checkpoint(MethodView):
    """The log's newest signed statement of its size and root."""

    @blp.arguments(CheckpointArgs, location="query", error_status_code=400)
    @blp.response(200, STRING, content_type=TEXT, description="Signed checkpoint note")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any]) -> Response:
        """The latest checkpoint (or, with `witnessed=1`, the latest meeting the quorum)."""
        return text(usecases().log.checkpoint(witnessed=args["witnessed"]))


@blp.route("/checkpoints/<int:size>")
class CheckpointAt(MethodView):
    """Every checkpoint the log signed is kept."""

    @blp.response(200, STRING, content_type=TEXT, description="Signed checkpoint note")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, size: int) -> Response:
        """The checkpoint signed at this tree size, with its cosignatures."""
        return text(usecases().log.checkpoint_at(size))


@blp.route("/proof/inclusion")
class Inclusion(MethodView):
    """RFC 9162 section 2.1.3 inclusion proofs."""

    @blp.arguments(InclusionArgs, location="query", error_status_code=400)
    @blp.response(200, InclusionOut)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any]) -> InclusionProof:
        """Proof that a leaf (by `index` or entry `hash`) is in the tree of `tree_size`."""
        return usecases().log.inclusion(
            args["tree_size"], index=args.get("index"), entry_hash=args.get("entry_hash")
        )


@blp.route("/proof/consistency")
class Consistency(MethodView):
    """RFC 9162 section 2.1.4 consistency proofs."""

    @blp.arguments(ConsistencyArgs, location="query", error_status_code=400)
    @blp.response(200, ConsistencyOut)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any]) -> ConsistencyProof:
        """Proof that the tree of `to` extends the tree of `from`."""
        return usecases().log.consistency(args["size1"], args["size2"])


@blp.route("/entries")
class Entries(MethodView):
    """The log's entries, as export bundle `entry` lines."""

    @blp.arguments(EntriesArgs, location="query", error_status_code=400)
    @blp.response(200, STRING, content_type=NDJSON, description="One entry line per leaf")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any]) -> Response:
        """Leaves [start, end), at most 1000 per request (docs/bundle-format.md)."""
        return text("".join(usecases().log.entry_lines(args["start"], args["end"])), NDJSON)


@blp.route("/keys")
class Keys(MethodView):
    """The keys to verify the log with."""

    @blp.response(200, LogKeysOut)
    def get(self) -> LogKeysView:
        """Log vkeys (active and retired), witness vkeys and the quorum."""
        return usecases().log.keys()


@blp.route("/cosignatures")
class Cosignatures(MethodView):
    """Witnesses post their cosignatures (c2sp.org/tlog-cosignature) here."""

    @authenticated()
    @blp.doc(
        requestBody={
            "required": True,
            "description": "The checkpoint note with the witness's cosignature line",
            "content": {TEXT: {"schema": STRING}},
        }
    )
    @blp.response(200, CosignatureOut)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, principal: Principal) -> CosignatureAccepted:
        """Accept a witness's cosignature once it verifies and is consistent."""
        return usecases().log.cosign(principal, request.get_data(cache=False))

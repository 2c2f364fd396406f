"""What a page needs to verify a report in the browser, gathered from the use cases.

The server only collects material; the page's script checks all of it against the log keys
pinned in the page (docs/web.md, "In-browser verification"), so nothing here is trusted:

- the receipt page starts from the receipt's tlog-proof and follows the report's own chain
  links backwards through the public log reads (entry by hash, entry line, inclusion proof),
  all against the checkpoint of that tlog-proof;
- the auditor page takes the report's proof (`GET /v1/reports/{id}/proof`, the same use case).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from api.extension import usecases
from ledger.access.principal import Principal
from ledger.usecases.logaccess import LogRequestError, NotYetCheckpointed

ZERO_HASH = "0" * 64


def pinned_keys() -> dict[str, Any]:
    """The log's keys as the server knows them now, to pin in the page at render time."""
    keys = usecases().log.keys()
    return {
        "origin": keys.origin,
        "log_vkeys": [*keys.log_vkeys, *keys.retired_log_vkeys],
        "witness_vkeys": keys.witness_vkeys,
        "witness_quorum": keys.witness_quorum,
    }


def tlog_proof_position(tlog_proof: str) -> tuple[int, int]:
    """The leaf index a tlog-proof proves and the tree size of its checkpoint."""
    head, _, note = tlog_proof.partition("\n\n")
    index = next(line for line in head.split("\n") if line.startswith("index "))
    return int(index.removeprefix("index ")), int(note.split("\n")[1])


def receipt_evidence(report_id: UUID, tlog_proof: str | None) -> dict[str, Any] | None:
    """The receipt's tlog-proof and every earlier entry of its report, from public reads."""
    if tlog_proof is None:
        return None
    log = usecases().log
    leaf, tree_size = tlog_proof_position(tlog_proof)
    entries: list[dict[str, Any]] = []
    try:
        while True:
            entry = json.loads(log.entry_lines(leaf, leaf + 1)[0])
            entry["inclusion"] = log.inclusion(tree_size, index=leaf).hashes
            entries.append(entry)
            newest = entries[0]["stream_version"]  # bounds the walk, whatever the links say
            if entry["prev_hash"] in (None, ZERO_HASH) or len(entries) >= newest:
                break
            leaf = log.inclusion(tree_size, entry_hash=entry["prev_hash"]).leaf_index
    except LogRequestError:
        pass  # a link leads nowhere: the page reports the versions it could not check
    return {
        **pinned_keys(),
        "report_id": str(report_id),
        "tlog_proof": tlog_proof,
        "checkpoint": None,
        "entries": entries[::-1],
        "pending": 0,
    }


def report_evidence(who: Principal, report_id: UUID) -> dict[str, Any] | None:
    """A report's entries with inclusion proofs against one checkpoint (None before any)."""
    try:
        proof = usecases().proofs.report_proof(who, report_id)
    except NotYetCheckpointed:
        return None
    return {
        **pinned_keys(),
        "report_id": str(report_id),
        "tlog_proof": None,
        "checkpoint": proof.checkpoint,
        "entries": proof.entries,
        "pending": proof.pending,
    }

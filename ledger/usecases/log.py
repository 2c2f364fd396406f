"""The public transparency log: checkpoints, proofs, entries, keys and witness cosignatures.

Reads need no token (entries carry clear headers and ciphertext only); posting a
cosignature needs a `witness` token. docs/transparency-log.md, "HTTP API of the log".
"""

from __future__ import annotations

from ledger.access.errors import Forbidden, Unauthenticated
from ledger.access.principal import Principal
from ledger.domain import Role
from ledger.export import entry_line
from ledger.storage.records import LedgerReads
from ledger.tlog import MalformedCosignature
from ledger.usecases.cosigning import posting_witness
from ledger.usecases.log_results import (
    ConsistencyProof,
    CosignatureAccepted,
    InclusionProof,
    LogKeysView,
    b64,
)
from ledger.usecases.logaccess import BadLogRange, LogAccess, NotInLog

MAX_ENTRIES = 1000  # entry lines per request
MAX_SIZE = 2**63 - 1  # the largest tree size either database stores


class TransparencyReads:
    """Use cases of the log itself, as any verifier or witness sees it."""

    def __init__(self, log: LogAccess, entries: LedgerReads) -> None:
        self.log = log
        self.entries = entries

    def checkpoint(self, *, witnessed: bool = False) -> str:
        """The latest signed (or witnessed) checkpoint note with its cosignatures."""
        tlog = self.log.tlog
        if not witnessed:
            return tlog.cosigned_note(tlog.latest_checkpoint())
        found = tlog.latest_witnessed_checkpoint()
        if found is None:
            quorum = f"{tlog.policy.quorum} of {len(tlog.policy.witnesses)}"
            raise NotInLog(f"no checkpoint is cosigned by a quorum of witnesses ({quorum}) yet")
        return tlog.cosigned_note(found)

    def checkpoint_at(self, tree_size: int) -> str:
        """The checkpoint signed at this size, with its cosignatures."""
        if tree_size > MAX_SIZE:
            raise NotInLog(f"tree size expected at most 2^63-1, got {tree_size}")
        tlog = self.log.tlog
        return tlog.cosigned_note(tlog.checkpoint(tree_size))

    def inclusion(
        self, tree_size: int, *, index: int | None = None, entry_hash: str | None = None
    ) -> InclusionProof:
        """RFC 9162 inclusion proof of a leaf, given by index or by entry hash (hex)."""
        tlog = self.log.tlog
        if entry_hash is not None:
            try:
                index = tlog.leaf_index_for_hash(bytes.fromhex(entry_hash))
            except KeyError:
                raise NotInLog(f"no entry with hash {entry_hash}") from None
            if index >= tree_size:
                raise NotInLog(f"entry {entry_hash} is leaf {index}: not in a tree of {tree_size}")
        if index is None:
            raise BadLogRange("give the leaf `index` or the entry `hash`")
        if index >= tree_size:
            raise BadLogRange(f"index expected below tree_size {tree_size}, got {index}")
        self._require_integrated(tree_size)
        proof = tlog.inclusion_proof(index, tree_size)
        leaf = next(iter(self.entries.iter_entries(index, index + 1))).entry_hash
        return InclusionProof(index, tree_size, b64([leaf])[0], b64(proof))

    def consistency(self, size1: int, size2: int) -> ConsistencyProof:
        """RFC 9162 consistency proof from the tree of `size1` to the tree of `size2`."""
        if size1 > size2:
            raise BadLogRange(f"from expected at most to ({size2}), got {size1}")
        self._require_integrated(size2)
        return ConsistencyProof(size1, size2, b64(self.log.tlog.consistency_proof(size1, size2)))

    def entry_lines(self, start: int, end: int) -> list[str]:
        """The bundle `entry` lines of leaves [start, end), at most MAX_ENTRIES."""
        if start >= end:
            raise BadLogRange(f"start expected below end ({end}), got {start}")
        if end - start > MAX_ENTRIES:
            raise BadLogRange(f"at most {MAX_ENTRIES} entries per request, got {end - start}")
        size = self.entries.tree_size()
        if end > size:
            raise NotInLog(f"end expected at most the log size {size}, got {end}")
        return [entry_line(record) for record in self.entries.iter_entries(start, end)]

    def keys(self) -> LogKeysView:
        """The log's verifier keys and the witness policy."""
        tlog = self.log.tlog
        retired = tlog.retired_vkeys()
        return LogKeysView(
            origin=tlog.origin,
            log_vkeys=[v for v in tlog.vkeys() if v not in retired],
            retired_log_vkeys=retired,
            witness_vkeys=[w.vkey for w in tlog.policy.witnesses],
            witness_quorum=tlog.policy.quorum,
        )

    def cosign(self, who: Principal, body: bytes) -> CosignatureAccepted:
        """Check and keep a witness's cosignature of one of the log's checkpoints."""
        if who.is_anonymous:
            raise Unauthenticated("a witness token is required to post a cosignature")
        if who.role is not Role.WITNESS:
            raise Forbidden(f"role {who.role} may not post cosignatures")
        try:
            note = body.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedCosignature("the cosigned note is not UTF-8 text") from None
        tlog = self.log.tlog
        accepted = tlog.accept_cosignature(note, posting_witness(tlog, who.label, note))
        return CosignatureAccepted(accepted.tree_size, accepted.witness)

    def _require_integrated(self, tree_size: int) -> None:
        integrated = self.log.tlog.integrated_size()
        if tree_size > integrated:
            raise NotInLog(f"tree_size expected at most {integrated} (integrated), got {tree_size}")

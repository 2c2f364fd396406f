"""Integrate sequenced entries into the persisted tree, and sign checkpoints over it.

Both run inside one write session that holds the log's lock. Before signing, the log proves
from its own nodes that the new tree extends the last checkpoint it signed (RFC 9162 section
2.1.4, checked with ledger.tlog.proofcheck) and refuses, loudly, if it does not: a rewritten
history is never signed.
"""

from __future__ import annotations

import logging
import time

from ledger.tlog import merkle
from ledger.tlog.checkpoint import CheckpointBody, SignedCheckpoint
from ledger.tlog.errors import InconsistentTree
from ledger.tlog.keys import LogKeys
from ledger.tlog.proofcheck import ProofMismatch, verify_consistency
from ledger.tlog.store import TlogSession

log = logging.getLogger(__name__)

BATCH = 20_000  # leaves integrated per transaction


def integrate_batch(s: TlogSession, batch: int | None = None) -> tuple[int, bytes, bool]:
    """Integrate up to `batch` leaves: the new size and root, and whether more are waiting."""
    batch = BATCH if batch is None else batch
    size = s.integrated_size()
    leaves = s.leaf_hashes(size, batch)
    nodes, root = merkle.append_leaves(s, size, leaves)
    if nodes:
        s.put_nodes(nodes)
    return size + len(leaves), root, len(leaves) == batch


def sign_if_grown(
    s: TlogSession, origin: str, keys: LogKeys, size: int, root: bytes
) -> SignedCheckpoint | None:
    """Sign and keep a checkpoint of (size, root) if it extends the last one and is larger."""
    latest = s.latest_checkpoint()
    if latest is not None:
        check_extends(s, latest, size, root)
        if latest.tree_size == size:
            return None
    note = keys.sign(CheckpointBody(origin, size, root).text)
    checkpoint = SignedCheckpoint(size, root, note, time.time_ns() // 1000)
    s.put_checkpoint(checkpoint)
    return checkpoint


def check_extends(s: TlogSession, latest: SignedCheckpoint, size: int, root: bytes) -> None:
    """Raise InconsistentTree unless the stored nodes prove (size, root) extends `latest`."""
    try:
        if latest.tree_size == 0:  # every tree extends the empty one
            verify_consistency(0, 0, [], latest.root, merkle.EMPTY_ROOT)
        else:
            proof = merkle.consistency_proof(s, latest.tree_size, size)
            verify_consistency(latest.tree_size, size, proof, latest.root, root)
    except (ProofMismatch, ValueError) as e:
        log.critical(
            "REFUSING TO SIGN: the tree of size %d does not extend checkpoint %d: %s",
            size,
            latest.tree_size,
            e,
        )
        raise InconsistentTree(
            f"refusing to sign size {size}: not an extension of the checkpoint signed at "
            f"size {latest.tree_size} (root {latest.root.hex()}): {e}"
        ) from None

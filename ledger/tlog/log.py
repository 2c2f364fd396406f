"""The transparency log: integrate, publish, prove, collect witness cosignatures.

Like Tessera, sequence -> integrate -> publish: the recorder sequences entries inside the
append transaction; `publish_once` integrates them into the persisted RFC 6962 tree and signs
a checkpoint (c2sp.org/tlog-checkpoint) under every active log key. Proofs follow RFC 9162
sections 2.1.3 and 2.1.4; cosignatures c2sp.org/tlog-cosignature; receipts
c2sp.org/tlog-proof@v1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ledger.integrity.entry import Entry, leaf_hash
from ledger.storage.records import LedgerReads
from ledger.tlog import merkle, witnessing
from ledger.tlog.checkpoint import SignedCheckpoint
from ledger.tlog.errors import CheckpointNotFound, CheckpointTimeout, TlogError
from ledger.tlog.integration import integrate_batch, sign_if_grown
from ledger.tlog.keys import LogKeys
from ledger.tlog.proofcheck import verify_inclusion
from ledger.tlog.receipt import format_tlog_proof
from ledger.tlog.store import TlogStore
from ledger.tlog.witness import Cosignature, WitnessPolicy

POLL_S = 0.2  # how often a waiter looks for checkpoints signed by another process


class TransparencyLog:
    """The Merkle tree over all ledger entries, its checkpoints, proofs and cosignatures."""

    def __init__(
        self,
        store: TlogStore,
        origin: str,
        keys: Callable[[], LogKeys],
        policy: WitnessPolicy | None = None,
        entries: LedgerReads | None = None,
    ) -> None:
        self.store = store
        self.origin = origin
        self.policy = policy if policy is not None else WitnessPolicy((), 0)
        self._keys = keys  # read at every signing, so a key rotation needs no restart
        self._entries = entries
        self._published = threading.Condition()

    # -- integrate and publish ------------------------------------------------------------

    def integrate(self) -> int:
        """Add every sequenced entry to the tree; return the integrated size."""
        more = True
        while more:
            with self.store.session(write=True) as s:
                if not s.lock():
                    return s.integrated_size()  # another process is integrating
                size, _, more = integrate_batch(s)
        return size

    def signs(self) -> bool:
        """True if this node holds an active signing key (not a verify-only node)."""
        return bool(self._keys().active)

    def publish_once(self) -> SignedCheckpoint | None:
        """Integrate, then sign a checkpoint if the tree grew; None if nothing was signed."""
        if self._nothing_to_sign():
            return None
        keys = self._keys()
        more = True
        while more:
            with self.store.session(write=True) as s:
                if not s.lock():
                    return None  # another process is publishing
                size, root, more = integrate_batch(s)
                signed = None if more else sign_if_grown(s, self.origin, keys, size, root)
        if signed is not None:
            with self._published:
                self._published.notify_all()
        return signed

    def _nothing_to_sign(self) -> bool:
        """The common idle case, answered without taking a write lock."""
        with self.store.session(write=False) as s:
            latest = s.latest_checkpoint()
            return (
                latest is not None
                and latest.tree_size == s.integrated_size()
                and not s.leaf_hashes(latest.tree_size, 1)
            )

    def wait_for_checkpoint(self, leaf_index: int, timeout: float) -> SignedCheckpoint:
        """Block until a signed checkpoint covers the leaf; raises CheckpointTimeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self.store.session(write=False) as s:
                latest = s.latest_checkpoint()
            if latest is not None and latest.tree_size > leaf_index:
                return latest
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                size = 0 if latest is None else latest.tree_size
                raise CheckpointTimeout(
                    f"leaf {leaf_index} expected in a checkpoint within {timeout} s, "
                    f"got checkpoints up to size {size}"
                )
            with self._published:
                self._published.wait(min(remaining, POLL_S))

    # -- tree reads -----------------------------------------------------------------------

    def integrated_size(self) -> int:
        """How many leaves the tree holds."""
        with self.store.session(write=False) as s:
            return s.integrated_size()

    def root(self, tree_size: int) -> bytes:
        """The RFC 6962 root hash of the first `tree_size` leaves."""
        with self.store.session(write=False) as s:
            return merkle.root(s, tree_size)

    def inclusion_proof(self, leaf_index: int, tree_size: int) -> list[bytes]:
        """RFC 9162 section 2.1.3.1 inclusion proof of a leaf in the tree of `tree_size`."""
        with self.store.session(write=False) as s:
            return merkle.inclusion_proof(s, leaf_index, tree_size)

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """RFC 9162 section 2.1.4.1 consistency proof from `size1` to `size2`."""
        with self.store.session(write=False) as s:
            return merkle.consistency_proof(s, size1, size2)

    def leaf_index_for_hash(self, entry_hash: bytes) -> int:
        """The leaf index of an entry hash; raises KeyError if the log does not hold it."""
        with self.store.session(write=False) as s:
            index = s.leaf_index_for_hash(entry_hash)
        if index is None:
            raise KeyError(f"no entry with hash {entry_hash.hex()}")
        return index

    # -- checkpoints and witnesses --------------------------------------------------------

    def latest_checkpoint(self) -> SignedCheckpoint:
        """The largest checkpoint the log signed; raises CheckpointNotFound."""
        with self.store.session(write=False) as s:
            found = s.latest_checkpoint()
        if found is None:
            raise CheckpointNotFound("the log has not signed a checkpoint yet")
        return found

    def checkpoint(self, tree_size: int) -> SignedCheckpoint:
        """The checkpoint signed at this size; raises CheckpointNotFound."""
        with self.store.session(write=False) as s:
            found = s.checkpoint_at(tree_size)
        if found is None:
            raise CheckpointNotFound(f"no checkpoint was signed at size {tree_size}")
        return found

    def vkeys(self) -> list[str]:
        """The verifier keys of the log: active, then retired."""
        return self._keys().vkeys()

    def retired_vkeys(self) -> list[str]:
        """The verifier keys of retired log keys (they no longer sign)."""
        return list(self._keys().retired)

    def accept_cosignature(
        self, note_or_sigline: str, witness: str, *, tree_size: int | None = None
    ) -> Cosignature:
        """Check and store a witness cosignature (a cosigned note, or a line for our note)."""
        key = self.policy.witness(witness)
        with self.store.session(write=True) as s:
            return witnessing.accept(s, self.origin, key, note_or_sigline, tree_size)

    def latest_witnessed_checkpoint(self) -> SignedCheckpoint | None:
        """The largest checkpoint cosigned by a quorum of configured witnesses."""
        with self.store.session(write=False) as s:
            return witnessing.latest_witnessed(s, self.policy)

    def cosigned_note(self, checkpoint: SignedCheckpoint) -> str:
        """The checkpoint's note with its witness cosignature lines appended."""
        with self.store.session(write=False) as s:
            return witnessing.cosigned_note(s, self.policy, checkpoint)

    def tlog_proof(self, leaf_index: int) -> str:
        """A c2sp.org/tlog-proof@v1 for a leaf, against the best checkpoint covering it."""
        witnessed = self.latest_witnessed_checkpoint()
        if witnessed is not None and witnessed.tree_size > leaf_index:
            checkpoint = witnessed
        else:
            checkpoint = self.latest_checkpoint()
            if checkpoint.tree_size <= leaf_index:
                raise CheckpointNotFound(
                    f"leaf {leaf_index} expected in a signed checkpoint, "
                    f"got checkpoints up to size {checkpoint.tree_size}"
                )
        with self.store.session(write=False) as s:
            proof = merkle.inclusion_proof(s, leaf_index, checkpoint.tree_size)
            leaf = s.get_nodes([(0, leaf_index)])[(0, leaf_index)]
            note = witnessing.cosigned_note(s, self.policy, checkpoint)
        verify_inclusion(leaf_index, checkpoint.tree_size, leaf, proof, checkpoint.root)
        return format_tlog_proof(leaf_index, proof, note, self._entry_bytes(leaf_index, leaf))

    def _entry_bytes(self, leaf_index: int, leaf: bytes) -> bytes | None:
        if self._entries is None:
            return None
        record = next(iter(self._entries.iter_entries(leaf_index, leaf_index + 1)))
        if record.event_type is None or record.payload is None:
            raise TlogError(f"leaf {leaf_index} expected a stored event, got none")
        entry = Entry(
            self.origin,
            record.leaf_index,
            record.stream_id,
            record.stream_version,
            record.event_type,
            record.recorded_at_us,
            record.prev_hash,
            record.payload,
        ).encode()
        if leaf_hash(entry) != leaf:
            raise TlogError(f"leaf {leaf_index}: expected hash {leaf.hex()}, got another entry")
        return entry

"""Transparency log checkpoints (c2sp.org/tlog-checkpoint).

A checkpoint is a signed note (c2sp.org/signed-note) whose text is at least three non-empty
lines: the log origin, the tree size in ASCII decimal without leading zeroes, and the base64
RFC 6962 root hash; any further lines are opaque extension lines. The log's key name is its
origin (DESIGN.md, "Transparency log"), so a checkpoint is accepted only under a trusted key
of that name.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass

from verify.errors import MalformedInput, VerificationFailed
from verify.merkle import HASH_SIZE
from verify.note import Note, VerifiedSignature, VerifierKey, parse_note, verify_note

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's signed statement: origin, tree size, root hash and extension lines."""

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint together with the trusted signatures that verified it."""

    checkpoint: Checkpoint
    signatures: tuple[VerifiedSignature, ...]


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text (with its final newline, without signatures)."""
    if not text.endswith("\n"):
        raise MalformedInput("checkpoint text does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not all(lines):
        raise MalformedInput("checkpoint text must be at least three non-empty lines")
    origin, size, root = lines[:3]
    if not _SIZE.fullmatch(size) or int(size) >= 2**64:
        raise MalformedInput(f"checkpoint tree size {size!r} is not a decimal from 0 to 2^64-1")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedInput(f"checkpoint root hash {root!r} is not standard base64") from None
    if len(root_hash) != HASH_SIZE or base64.b64encode(root_hash).decode() != root:
        raise MalformedInput(f"checkpoint root hash {root!r} is not {HASH_SIZE} bytes in base64")
    return Checkpoint(origin, int(size), root_hash, tuple(lines[3:]))


def verify_checkpoint(
    note: Note | str | bytes, log_keys: Iterable[VerifierKey], *, origin: str | None = None
) -> SignedCheckpoint:
    """Verify a checkpoint note under the trusted log keys named after its origin."""
    parsed = note if isinstance(note, Note) else parse_note(note)
    checkpoint = parse_checkpoint(parsed.text)
    if origin is not None and checkpoint.origin != origin:
        raise VerificationFailed(
            f"checkpoint origin expected {origin!r}, got {checkpoint.origin!r}",
            expected=origin,
            actual=checkpoint.origin,
        )
    keys = [key for key in log_keys if key.name == checkpoint.origin]
    if not keys:
        raise VerificationFailed(
            f"no trusted log key is named after the checkpoint origin {checkpoint.origin!r}",
            actual=checkpoint.origin,
        )
    verified = verify_note(parsed, keys)
    return SignedCheckpoint(checkpoint, verified.signatures)

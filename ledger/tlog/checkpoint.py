"""Checkpoints (c2sp.org/tlog-checkpoint): the log's signed statement of its size and root.

The note text is three lines: the origin, the tree size in ASCII decimal without leading
zeroes, and the standard base64 RFC 6962 root hash; this log writes no extension lines.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from ledger.tlog.notes import MalformedNote

_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")


@dataclass(frozen=True, slots=True)
class CheckpointBody:
    """The three lines of a checkpoint, parsed."""

    origin: str
    tree_size: int
    root: bytes

    @property
    def text(self) -> str:
        """The note text, ending in a newline."""
        return f"{self.origin}\n{self.tree_size}\n{base64.b64encode(self.root).decode()}\n"


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint the log signed, as stored: its note with the log's signature lines."""

    tree_size: int
    root: bytes
    note: str
    signed_at_us: int

    @property
    def text(self) -> str:
        """The checkpoint text, without signatures."""
        return self.note[: self.note.index("\n\n") + 1]


def parse_body(text: str) -> CheckpointBody:
    """Parse checkpoint note text; raises MalformedNote."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not all(lines[:-1]):
        raise MalformedNote("checkpoint expected at least three non-empty lines")
    origin, size, encoded = lines[:3]
    if not _SIZE.fullmatch(size):
        raise MalformedNote(f"checkpoint tree size expected a decimal, got {size!r}")
    try:
        root = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedNote(f"checkpoint root expected base64, got {encoded!r}") from None
    if len(root) != 32 or base64.b64encode(root).decode() != encoded:
        raise MalformedNote(f"checkpoint root expected 32 bytes in base64, got {encoded!r}")
    return CheckpointBody(origin, int(size), root)

"""Offline proofs of inclusion in the c2sp.org/tlog-proof@v1 text format.

    c2sp.org/tlog-proof@v1
    extra <base64 of the entry bytes, ledger entry format version 1>
    index <leaf index, decimal>
    <base64 inclusion proof hash, RFC 9162 section 2.1.3.1, from the leaf's sibling up>
    ...
    <empty line>
    <the checkpoint note verbatim, with the log's signatures and witness cosignatures>

The `extra` line carries the entry bytes (docs/ledger-format.md), so the proof stands on its
own: SHA-256(0x00 || extra) is the leaf hash the inclusion proof starts from, and decoding the
entry shows the report id, version, event type and time it commits to.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

HEADER = "c2sp.org/tlog-proof@v1"
FILE_EXTENSION = ".tlog-proof"


def format_tlog_proof(
    leaf_index: int, proof: Sequence[bytes], note: str, extra: bytes | None = None
) -> str:
    """The tlog-proof text: header, optional extra, index, proof hashes, blank line, note."""
    if leaf_index < 0:
        raise ValueError(f"leaf index expected at least 0, got {leaf_index}")
    if not note.endswith("\n") or "\n\n" not in note:
        raise ValueError("checkpoint note expected text, a blank line and signatures")
    lines = [HEADER]
    if extra:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {leaf_index}")
    lines.extend(base64.b64encode(h).decode() for h in proof)
    return "\n".join(lines) + "\n\n" + note

"""Which configured witness a posted cosignature is from (c2sp.org/tlog-cosignature lines)."""

from __future__ import annotations

from ledger.tlog import CheckpointNotFound, MalformedCosignature, TransparencyLog, UnknownWitness
from ledger.tlog.checkpoint import parse_body
from ledger.tlog.notes import MalformedNote, parse_signature_line, split_note


def posting_witness(tlog: TransparencyLog, label: str, note: str) -> str:
    """The witness posting `note`: the token's label if it names one, else read from the note.

    A served note already carries the other witnesses' cosignatures, and a witness posts it
    back with its own line added; so when several configured witnesses sign the note, the
    poster is the one whose line the log does not hold yet.
    """
    configured = [w.name for w in tlog.policy.witnesses]
    if label in configured:
        return label
    text, lines = _split(tlog, note)
    signers = {_signer(line): line for line in lines}
    candidates = [name for name in configured if name in signers]
    if not candidates:
        known = ", ".join(configured) or "none configured"
        raise UnknownWitness(f"expected a cosignature by a configured witness ({known}), got none")
    if len(candidates) == 1:
        return candidates[0]
    served = _served_lines(tlog, text)
    fresh = [name for name in candidates if signers[name] not in served]
    if len(fresh) == 1:
        return fresh[0]
    raise MalformedCosignature(
        f"the note carries new cosignatures of {len(fresh) or len(candidates)} witnesses: "
        "post one at a time, or label each witness token with its witness name"
    )


def _split(tlog: TransparencyLog, note: str) -> tuple[str, list[str]]:
    try:
        if note.startswith("\u2014"):  # bare cosignature lines for our latest checkpoint
            return tlog.latest_checkpoint().text, note.rstrip("\n").split("\n")
        return split_note(note)
    except MalformedNote as e:
        raise MalformedCosignature(f"cosigned note: {e}") from None


def _signer(line: str) -> str | None:
    try:
        return parse_signature_line(line)[0]
    except MalformedNote:
        return None


def _served_lines(tlog: TransparencyLog, text: str) -> set[str]:
    """The signature lines the log serves for the checkpoint with this text (none if unknown)."""
    try:
        checkpoint = tlog.checkpoint(parse_body(text).tree_size)
    except (MalformedNote, CheckpointNotFound):  # accepting the cosignature reports these
        return set()
    return set(tlog.cosigned_note(checkpoint).rstrip("\n").split("\n"))

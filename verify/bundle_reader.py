"""Streaming reader of JSON Lines export bundles, format 1 (docs/bundle-format.md).

A format 1 bundle is JSON Lines (jsonlines.org: one RFC 8259 JSON object per UTF-8 line; the
last line may lack its newline), optionally gzip-compressed (RFC 1952; verify.bundle_input
decompresses and tells it from the binary format 2). This module is check 1 of verify.bundle
for format 1, and defines the records both formats share: it decides whether
the bundle is well-formed (the header first, the entries, then unlinked events and checkpoints,
the end line last with matching counts, every field of its type) and raises MalformedInput
naming the line otherwise. It never judges whether the contents verify.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from verify import fields as f
from verify.bundle_input import GZIP_ERRORS
from verify.errors import MalformedInput

BUNDLE_FORMAT = "lapor-ledger-bundle/v1"
ENTRY_FORMAT = 1
MAX_LINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Header:
    """The first line: the log origin and the tree size the database reported."""

    line: int
    origin: str
    exported_at: str
    tree_size: int


@dataclass(frozen=True, slots=True)
class EntryLine:
    """One log entry; event_type and payload are None when the stored event is missing."""

    line: int | None  # None for entries that do not come from a bundle file (the live log)
    leaf_index: int
    stream_id: UUID
    stream_version: int
    event_type: str | None
    recorded_at_us: int
    prev_hash: bytes
    entry_hash: bytes
    payload: bytes | None


@dataclass(frozen=True, slots=True)
class UnlinkedEvent:
    """A stored event that has no ledger entry."""

    line: int
    stream_id: UUID
    stream_version: int
    event_type: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class CheckpointLine:
    """A signed checkpoint note over a prefix of the entries, signatures unchecked."""

    line: int  # the line, or in a binary bundle the record, that holds it
    note: str
    unit: str = "line"


BodyRecord = EntryLine | UnlinkedEvent | CheckpointLine


def read_bundle(stream: io.BufferedIOBase) -> tuple[Header, Iterator[BodyRecord]]:
    """Read the header now; the iterator yields the other lines and raises if malformed.

    `stream` is the decompressed JSON Lines bundle (verify.bundle_input.open_bundle_stream).
    """
    # Malformedness found late (no end line, counts that do not match) is raised at the end.
    lines = _numbered_lines(stream)
    number, first = next(lines, (0, b""))
    if not number:
        raise MalformedInput("the bundle is empty")
    data = f.load_object(first, number)
    if f.kind(data, number) != "header":
        raise MalformedInput("the first line must be the header", line=number)
    return _header(data, number), _body(lines, number)


def _body(lines: Iterator[tuple[int, bytes]], number: int) -> Iterator[BodyRecord]:
    entries = unlinked = 0
    entries_closed = False  # unlinked events and checkpoints come after the last entry
    for number, text in lines:
        data = f.load_object(text, number)
        kind = f.kind(data, number)
        if kind == "entry":
            if entries_closed:
                raise MalformedInput("entry after an unlinked event or checkpoint", line=number)
            entries += 1
            yield entry_record(data, number)
        elif kind == "unlinked_event":
            entries_closed = True
            unlinked += 1
            yield unlinked_record(data, number)
        elif kind == "checkpoint":
            entries_closed = True
            yield CheckpointLine(number, f.text(data, "note", number))
        elif kind == "end":
            _end(data, number, entries, unlinked)
            _nothing_after(lines)
            return
        else:
            raise MalformedInput(f"unknown or misplaced kind {kind!r}", line=number)
    raise MalformedInput("the bundle has no end line: truncated", line=number + 1)


def _header(data: dict[str, object], line: int) -> Header:
    if data.get("format") != BUNDLE_FORMAT:
        stated = data.get("format")
        raise MalformedInput(f"format expected {BUNDLE_FORMAT!r}, got {stated!r}", line=line)
    if f.integer(data, "entry_format", line) != ENTRY_FORMAT:
        raise MalformedInput(f"entry_format expected {ENTRY_FORMAT}", line=line)
    return Header(
        line=line,
        origin=f.text(data, "origin", line),
        exported_at=f.timestamp(data, "exported_at", line),
        tree_size=f.integer(data, "tree_size", line),
    )


def entry_record(data: dict[str, object], line: int | None) -> EntryLine:
    """Read the fields of an `entry` object (a bundle line, a log page line, a report proof)."""
    return EntryLine(
        line=line,
        leaf_index=f.integer(data, "leaf_index", line),
        stream_id=f.uuid(data, "stream_id", line),
        stream_version=f.integer(data, "stream_version", line),
        event_type=f.optional_text(data, "event_type", line),
        recorded_at_us=f.integer(data, "recorded_at_us", line, signed=True),
        prev_hash=f.hash_hex(data, "prev_hash", line),
        entry_hash=f.hash_hex(data, "entry_hash", line),
        payload=f.optional_base64(data, "payload", line),
    )


def unlinked_record(data: dict[str, object], line: int) -> UnlinkedEvent:
    """Read the fields of an `unlinked_event` object."""
    return UnlinkedEvent(
        line=line,
        stream_id=f.uuid(data, "stream_id", line),
        stream_version=f.integer(data, "stream_version", line),
        event_type=f.text(data, "event_type", line),
        payload=f.base64(data, "payload", line),
    )


def _end(data: dict[str, object], line: int, entries: int, unlinked: int) -> None:
    for key, counted in (("entries", entries), ("unlinked_events", unlinked)):
        stated = f.integer(data, key, line)
        if stated != counted:
            raise MalformedInput(
                f"end line states {key} {stated}, the bundle has {counted}", line=line
            )


def _nothing_after(lines: Iterator[tuple[int, bytes]]) -> None:
    for number, _ in lines:
        raise MalformedInput("data after the end line", line=number)


def _numbered_lines(stream: io.BufferedIOBase) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, line) pairs from the decompressed bundle."""
    number = 0
    while True:
        number += 1
        try:
            line = stream.readline(MAX_LINE_BYTES + 1)
        except GZIP_ERRORS as exc:
            raise MalformedInput(f"gzip stream is damaged: {exc}", line=number) from None
        if not line:
            return
        if len(line) > MAX_LINE_BYTES:
            raise MalformedInput(f"line longer than {MAX_LINE_BYTES} bytes", line=number)
        yield number, line

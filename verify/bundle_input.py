"""Opening an export bundle: gzip by its magic bytes, then the format by the first bytes.

Both bundle formats (docs/bundle-format.md) may be gzip-compressed (RFC 1952); a reader
recognises gzip by the magic bytes 1f 8b, never by a file name. Inside, a binary bundle
(format 2) starts with the line `lapor-ledger-bundle/v2`; anything else is read as JSON Lines
(format 1), whose first line must then be its header object.
"""

from __future__ import annotations

import gzip
import io
import zlib
from typing import IO, TYPE_CHECKING

from verify.errors import MalformedInput

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

GZIP_MAGIC = b"\x1f\x8b"
BINARY_MAGIC = b"lapor-ledger-bundle/v2\n"
FORMAT_PREFIX = b"lapor-ledger-bundle/"
JSON_LINES, BINARY = 1, 2
GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


def open_bundle_stream(raw: IO[bytes]) -> tuple[int, io.BufferedIOBase]:
    """Return the bundle's format (JSON_LINES or BINARY) and its decompressed bytes.

    For a binary bundle the stream is positioned after the magic line; for JSON Lines it
    starts at the first byte.
    """
    head = raw.read(2)
    stream: io.BufferedIOBase = io.BufferedReader(_Replay(head, raw))
    if head == GZIP_MAGIC:
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    try:
        start = stream.read(len(BINARY_MAGIC))
    except GZIP_ERRORS as exc:
        raise MalformedInput(f"gzip stream is damaged: {exc}") from None
    if start == BINARY_MAGIC:
        return BINARY, stream
    if start.startswith(FORMAT_PREFIX):
        first = start.split(b"\n")[0].decode("ascii", "replace")
        raise MalformedInput(f"unknown bundle format {first!r}: lapor-ledger-bundle/v2 expected")
    return JSON_LINES, io.BufferedReader(_Replay(start, stream))


def read_chunk(stream: io.BufferedIOBase, size: int, number: int, unit: str) -> bytes:
    """Read up to `size` bytes; a damaged gzip stream is malformed at record or line `number`."""
    try:
        return stream.read(size)
    except GZIP_ERRORS as exc:
        raise MalformedInput(f"gzip stream is damaged: {exc}", line=number, unit=unit) from None


class _Replay(io.RawIOBase):
    """A raw stream that gives back the bytes already read from `rest`, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes] | io.BufferedIOBase) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._head[: len(view)] if self._head else self._rest.read(len(view))
        self._head = self._head[len(data) :]
        view[: len(data)] = data
        return len(data)

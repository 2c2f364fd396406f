"""Strict typed access to the fields of one JSON line (RFC 8259, read as UTF-8 only).

Strictness closes ambiguities an auditor's own parser might resolve differently: duplicate
keys, NaN and Infinity, booleans posing as integers, upper-case or padded hex, non-canonical
base64 (RFC 4648 section 4) and non-canonical UUID text (RFC 9562, lower case with hyphens).
Every problem is a MalformedInput naming the line and the field.
"""

from __future__ import annotations

import base64 as _base64
import binascii
import json
import re
from datetime import datetime
from uuid import UUID

from verify.errors import MalformedInput

_HEX32 = re.compile(r"[0-9a-f]{64}")
_U64_MAX = 2**64 - 1
_I64 = (-(2**63), 2**63 - 1)


def load_object(raw: bytes, line: int | None) -> dict[str, object]:
    """Parse one line as a JSON object, refusing duplicate keys and non-finite numbers."""
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"not UTF-8 at byte {exc.start}: {exc.reason}", line=line) from None
    except (ValueError, RecursionError) as exc:
        raise MalformedInput(f"not a JSON object: {exc}", line=line) from None
    if not isinstance(value, dict):
        raise MalformedInput(f"a JSON object expected, got {type(value).__name__}", line=line)
    return value


def kind(data: dict[str, object], line: int | None) -> str:
    """Return the line's `kind`."""
    return text(data, "kind", line)


def integer(data: dict[str, object], key: str, line: int | None, *, signed: bool = False) -> int:
    """Return an integer field: 0..2^64-1, or -2^63..2^63-1 when signed."""
    value = _get(data, key, line)
    low, high = _I64 if signed else (0, _U64_MAX)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MalformedInput(
            f"{key} must be an integer from {low} to {high}, got {value!r}", line=line
        )
    return value


def text(data: dict[str, object], key: str, line: int | None) -> str:
    """Return a string field."""
    value = _get(data, key, line)
    if not isinstance(value, str):
        raise MalformedInput(f"{key} must be a string, got {_type(value)}", line=line)
    return value


def optional_text(data: dict[str, object], key: str, line: int | None) -> str | None:
    """Return a string field that may be null."""
    return None if _get(data, key, line) is None else text(data, key, line)


def base64(data: dict[str, object], key: str, line: int | None) -> bytes:
    """Return the bytes of a field in canonical standard base64."""
    value = text(data, key, line)
    try:
        raw = _base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedInput(f"{key} is not standard base64", line=line) from None
    if _base64.b64encode(raw).decode("ascii") != value:
        raise MalformedInput(f"{key} is not canonical base64", line=line)
    return raw


def optional_base64(data: dict[str, object], key: str, line: int | None) -> bytes | None:
    """Return the bytes of a base64 field that may be null."""
    return None if _get(data, key, line) is None else base64(data, key, line)


def hash_hex(data: dict[str, object], key: str, line: int | None) -> bytes:
    """Return a 32-byte hash given as 64 lower-case hex digits."""
    value = text(data, key, line)
    if not _HEX32.fullmatch(value):
        raise MalformedInput(f"{key} must be 64 lower-case hex digits, got {value!r}", line=line)
    return bytes.fromhex(value)


def hash_list(
    data: dict[str, object], key: str, line: int | None, *, limit: int = 128
) -> list[bytes]:
    """Return a list of 32-byte hashes, each in canonical standard base64 (proof hashes)."""
    value = _get(data, key, line)
    if not isinstance(value, list) or len(value) > limit:
        raise MalformedInput(f"{key} must be a list of at most {limit} hashes", line=line)
    hashes = []
    for position, item in enumerate(value):
        name = f"{key}[{position}]"
        raw = base64({name: item}, name, line)
        if len(raw) != 32:
            raise MalformedInput(f"{name} must be 32 bytes, got {len(raw)}", line=line)
        hashes.append(raw)
    return hashes


def uuid(data: dict[str, object], key: str, line: int | None) -> UUID:
    """Return a UUID given in its canonical text form (lower case, with hyphens)."""
    value = text(data, key, line)
    try:
        parsed = UUID(value)
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != value:
        raise MalformedInput(f"{key} must be a lower-case UUID, got {value!r}", line=line)
    return parsed


def timestamp(data: dict[str, object], key: str, line: int | None) -> str:
    """Return an RFC 3339 UTC timestamp field, as given."""
    value = text(data, key, line)
    try:
        offset = datetime.fromisoformat(value).utcoffset()
    except ValueError:
        offset = None
    if offset is None or offset.total_seconds() != 0:
        raise MalformedInput(f"{key} must be an RFC 3339 UTC timestamp, got {value!r}", line=line)
    return value


def _get(data: dict[str, object], key: str, line: int | None) -> object:
    if key not in data:
        raise MalformedInput(f"field {key!r} is missing", line=line)
    return data[key]


def _type(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    data: dict[str, object] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"duplicate key {key!r}")
        data[key] = value
    return data


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constant)

"""Argument checks shared by the Report commands; each raises InvalidCommand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from ledger.domain.errors import InvalidCommand

E = TypeVar("E", bound=StrEnum)


def utc(value: object, field: str = "at") -> datetime:
    """Return a timezone-aware datetime converted to UTC."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidCommand(f"{field} must be a timezone-aware datetime", field=field)
    return value.astimezone(UTC)


def text(value: object, field: str) -> str:
    """Return a required, non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} is required", field=field)
    return value


def optional_text(value: object, field: str) -> str | None:
    """Return None or a non-blank string."""
    return None if value is None else text(value, field)


def choice(enum: type[E], value: object, field: str, label: str | None = None) -> E:
    """Return the enum member named by a member or its string value."""
    name = label or field.replace("_", " ")
    if value is None or value == "":
        raise InvalidCommand(f"{name} is required", field=field)
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidCommand(
            f"unknown {name} {value!r}; expected one of: {allowed}", field=field
        ) from None


def text_list(value: object, field: str) -> list[str]:
    """Return a list of non-blank strings (an empty list is fine)."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidCommand(f"{field} must be a list of strings", field=field)
    return [text(item, field) for item in value]


def positive_int(value: object, field: str) -> int:
    """Return an int of at least 1 (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidCommand(f"{field} must be a positive integer", field=field)
    return value


def deadlines(value: object, field: str = "deadlines") -> dict[str, datetime]:
    """Return a name -> UTC datetime mapping computed by the caller's SLA policy."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidCommand(f"{field} must map names to datetimes", field=field)
    return {text(name, field): utc(due, f"{field}[{name!r}]") for name, due in value.items()}


def plain_dict(value: object, field: str) -> dict[str, Any] | None:
    """Return None or a copy of a mapping with string keys."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidCommand(f"{field} must be an object with string keys", field=field)
    return dict(value)

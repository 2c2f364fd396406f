"""Calendar overrides: holidays the `holidays` package lacks, and dates that became hari kerja."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ledger.sla.errors import CalendarOverridesError

OVERRIDES_FORMAT = 1
_ENTRY_FIELDS = frozenset({"date", "name", "source"})


@dataclass(frozen=True, slots=True)
class OverrideEntry:
    """One dated correction of the national calendar, with the decree or notice it comes from."""

    day: date
    name: str
    source: str


@dataclass(frozen=True)
class Overrides:
    """Corrections applied on top of the `holidays` package: added holidays and removed ones."""

    added: Mapping[date, OverrideEntry] = field(default_factory=lambda: MappingProxyType({}))
    removed: Mapping[date, OverrideEntry] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        both = sorted(set(self.added) & set(self.removed))
        if both:
            raise CalendarOverridesError(f"date {both[0].isoformat()} is both added and removed")

    @classmethod
    def none(cls) -> Overrides:
        """No corrections: the `holidays` package alone."""
        return cls()

    @classmethod
    def load_default(cls) -> Overrides:
        """The override file shipped with the package (calendar_overrides.json)."""
        return _default_overrides()

    @classmethod
    def from_file(cls, path: str | Path) -> Overrides:
        """Load overrides from a JSON file in the calendar_overrides.json format."""
        return cls.from_json(Path(path).read_text("utf-8"), origin=str(path))

    @classmethod
    def from_json(cls, text: str, *, origin: str = "<string>") -> Overrides:
        """Parse and validate override JSON text."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise CalendarOverridesError(f"{origin}: not valid JSON: {error}") from None
        if not isinstance(document, dict) or document.get("format") != OVERRIDES_FORMAT:
            raise CalendarOverridesError(
                f"{origin}: expected an object with format {OVERRIDES_FORMAT}"
            )
        return cls(
            added=_parse_entries(document.get("added", []), f"{origin}: added"),
            removed=_parse_entries(document.get("removed", []), f"{origin}: removed"),
        )


@cache
def _default_overrides() -> Overrides:
    text = resources.files("ledger.sla").joinpath("calendar_overrides.json").read_text("utf-8")
    return Overrides.from_json(text, origin="calendar_overrides.json")


def _parse_entries(entries: Any, where: str) -> Mapping[date, OverrideEntry]:
    """Validate a list of override entries and index them by date."""
    if not isinstance(entries, list):
        raise CalendarOverridesError(f"{where}: expected a list")
    parsed: dict[date, OverrideEntry] = {}
    for index, entry in enumerate(entries):
        label = f"{where}[{index}]"
        if not isinstance(entry, dict) or set(entry) != _ENTRY_FIELDS:
            raise CalendarOverridesError(f"{label}: expected exactly the fields date, name, source")
        for name in _ENTRY_FIELDS:
            if not isinstance(entry[name], str) or not entry[name].strip():
                raise CalendarOverridesError(f"{label}: {name} must be a non-empty string")
        try:
            day = date.fromisoformat(entry["date"])
        except ValueError:
            raise CalendarOverridesError(
                f"{label}: date {entry['date']!r} is not an ISO date (YYYY-MM-DD)"
            ) from None
        if day in parsed:
            raise CalendarOverridesError(f"{label}: date {day.isoformat()} is listed twice")
        parsed[day] = OverrideEntry(day=day, name=entry["name"], source=entry["source"])
    return MappingProxyType(parsed)

"""The agency registry: K/L/D agencies and units, hierarchy, time zones and SLA policy."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LEVELS = frozenset({"national", "ministry", "agency", "province", "regency", "city", "unit"})
TIERS = frozenset({"macro", "meso", "micro"})
REGISTRY_FORMAT = 1
REGISTRY_VARIABLE = "LEDGER_AGENCY_REGISTRY"  # a registry file replacing the packaged sample
_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*")
_FIELDS = ("id", "name", "level", "tier", "parent", "time_zone", "sla_policy", "is_hub")


class AgencyRegistryError(ValueError):
    """The registry data is invalid; the message names the offending record."""


class UnknownAgency(LookupError):
    """No agency with this id is registered."""

    def __init__(self, agency_id: str) -> None:
        super().__init__(f"unknown agency {agency_id!r}")
        self.agency_id = agency_id


@dataclass(frozen=True, slots=True)
class Agency:
    """One agency or work unit (OPD) connected to SP4N-LAPOR!."""

    id: str
    name: str
    level: str
    tier: str
    parent: str | None
    time_zone: str
    sla_policy: str
    is_hub: bool


class AgencyRegistry:
    """An immutable, validated set of agencies with hierarchy queries."""

    def __init__(self, agencies: Iterable[Agency]) -> None:
        self._by_id: dict[str, Agency] = {}
        for agency in agencies:
            if agency.id in self._by_id:
                raise AgencyRegistryError(f"agency {agency.id!r}: duplicate id")
            self._by_id[agency.id] = agency
        self._children: dict[str, list[str]] = {agency_id: [] for agency_id in self._by_id}
        for agency in self._by_id.values():
            if agency.parent is not None:
                if agency.parent not in self._by_id:
                    raise AgencyRegistryError(
                        f"agency {agency.id!r}: parent {agency.parent!r} does not exist"
                    )
                self._children[agency.parent].append(agency.id)
        for agency in self._by_id.values():
            self._check_no_cycle(agency)
        self._zones = {a.id: ZoneInfo(a.time_zone) for a in self._by_id.values()}

    @classmethod
    def load_default(cls, environ: Mapping[str, str] | None = None) -> AgencyRegistry:
        """The configured registry: the file `LEDGER_AGENCY_REGISTRY` names (agencies.json
        format), else the sample shipped with the package."""
        path = (os.environ if environ is None else environ).get(REGISTRY_VARIABLE, "")
        if path:
            try:
                return cls.from_file(path)
            except OSError as error:
                raise AgencyRegistryError(
                    f"{REGISTRY_VARIABLE}={path}: cannot read it ({error.strerror})"
                ) from None
        text = resources.files("ledger.agencies").joinpath("agencies.json").read_text("utf-8")
        return cls.from_json(text, origin="agencies.json")

    def to_json(self) -> str:
        """The registry as a file in the agencies.json format (`from_json` reads it back)."""
        records = [{name: getattr(a, name) for name in _FIELDS} for a in self.all()]
        return json.dumps({"format": REGISTRY_FORMAT, "agencies": records}, ensure_ascii=False)

    @classmethod
    def from_file(cls, path: str | Path) -> AgencyRegistry:
        """Load a registry from a JSON file in the agencies.json format."""
        return cls.from_json(Path(path).read_text("utf-8"), origin=str(path))

    @classmethod
    def from_json(cls, text: str, *, origin: str = "<string>") -> AgencyRegistry:
        """Parse and validate registry JSON text."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise AgencyRegistryError(f"{origin}: not valid JSON: {error}") from None
        if not isinstance(document, dict) or document.get("format") != REGISTRY_FORMAT:
            raise AgencyRegistryError(f"{origin}: expected an object with format {REGISTRY_FORMAT}")
        records = document.get("agencies")
        if not isinstance(records, list):
            raise AgencyRegistryError(f"{origin}: 'agencies' must be a list")
        return cls(_parse_record(record, index) for index, record in enumerate(records))

    def get(self, agency_id: str) -> Agency:
        """Return the agency with this id."""
        try:
            return self._by_id[agency_id]
        except KeyError:
            raise UnknownAgency(agency_id) from None

    def all(self) -> tuple[Agency, ...]:
        """Return every agency in registry order."""
        return tuple(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._by_id

    def children(self, agency_id: str) -> tuple[Agency, ...]:
        """Return the agencies directly below this one."""
        self.get(agency_id)
        return tuple(self._by_id[child] for child in self._children[agency_id])

    def descendants(self, agency_id: str) -> tuple[Agency, ...]:
        """Return every agency below this one, depth first, excluding itself."""
        self.get(agency_id)
        return tuple(self._walk_down(agency_id))

    def ancestors(self, agency_id: str) -> tuple[Agency, ...]:
        """Return the chain of parents, nearest first."""
        chain: list[Agency] = []
        parent = self.get(agency_id).parent
        while parent is not None:
            agency = self._by_id[parent]
            chain.append(agency)
            parent = agency.parent
        return tuple(chain)

    def is_within(self, agency_id: str, ancestor_id: str) -> bool:
        """Tell whether an agency is the given one or below it."""
        self.get(ancestor_id)
        if agency_id == ancestor_id:
            return True
        return any(agency.id == ancestor_id for agency in self.ancestors(agency_id))

    def hub_of(self, agency_id: str) -> Agency | None:
        """Return the nearest ancestor that is a hub (monitors the agencies below it)."""
        return next((agency for agency in self.ancestors(agency_id) if agency.is_hub), None)

    def time_zone(self, agency_id: str) -> ZoneInfo:
        """Return the agency's own time zone, in which its working days are counted."""
        self.get(agency_id)
        return self._zones[agency_id]

    def units(self, agency_id: str) -> tuple[Agency, ...]:
        """Return the work units (OPD) anywhere below this agency."""
        return tuple(agency for agency in self.descendants(agency_id) if agency.level == "unit")

    def _walk_down(self, agency_id: str) -> Iterator[Agency]:
        for child in self._children[agency_id]:
            yield self._by_id[child]
            yield from self._walk_down(child)

    def _check_no_cycle(self, agency: Agency) -> None:
        seen = {agency.id}
        parent = agency.parent
        while parent is not None:
            if parent in seen:
                raise AgencyRegistryError(
                    f"agency {agency.id!r}: parent chain has a cycle through {parent!r}"
                )
            seen.add(parent)
            parent = self._by_id[parent].parent


def _parse_record(record: Any, index: int) -> Agency:
    """Validate one JSON record and build an Agency from it."""
    if not isinstance(record, Mapping):
        raise AgencyRegistryError(f"agency #{index}: expected an object")
    label = f"agency {record.get('id')!r} (#{index})"
    missing = [name for name in _FIELDS if name not in record]
    unknown = sorted(set(record) - set(_FIELDS))
    if missing or unknown:
        raise AgencyRegistryError(f"{label}: missing fields {missing}, unknown fields {unknown}")
    for name in ("id", "name", "level", "tier", "time_zone", "sla_policy"):
        if not isinstance(record[name], str) or not record[name]:
            raise AgencyRegistryError(f"{label}: {name} must be a non-empty string")
    if not _ID_PATTERN.fullmatch(record["id"]):
        raise AgencyRegistryError(f"{label}: id must be a lowercase slug like 'kota-serang.dinkes'")
    if record["parent"] is not None and not isinstance(record["parent"], str):
        raise AgencyRegistryError(f"{label}: parent must be an agency id or null")
    if record["level"] not in LEVELS:
        raise AgencyRegistryError(f"{label}: unknown level {record['level']!r}")
    if record["tier"] not in TIERS:
        raise AgencyRegistryError(f"{label}: unknown tier {record['tier']!r}")
    if not isinstance(record["is_hub"], bool):
        raise AgencyRegistryError(f"{label}: is_hub must be true or false")
    try:
        ZoneInfo(record["time_zone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise AgencyRegistryError(f"{label}: unknown time zone {record['time_zone']!r}") from None
    return Agency(**{name: record[name] for name in _FIELDS})

"""The agency hierarchy that hub figures need, read from a registry file (agencies.json format 1).

The verifier does not import the writer's registry: the auditor passes the file (the service's
ledger/agencies/agencies.json, or the published list of connected agencies). Only `id`,
`parent` and `is_hub` are read; the other fields of a record are ignored. A file that cannot be
read as such a registry is MalformedInput.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from verify import fields as f
from verify.errors import InputUnavailable, MalformedInput

REGISTRY_FORMAT = 1


@dataclass(frozen=True, slots=True)
class AgencyTree:
    """Agencies with their parents, in registry order, and which of them are hubs."""

    parents: dict[str, str | None]
    hub_ids: tuple[str, ...]

    def hubs(self) -> tuple[str, ...]:
        """Every hub, in registry order."""
        return self.hub_ids

    def descendants(self, agency_id: str) -> Iterator[str]:
        """Every agency below this one (the agency itself excluded)."""
        children: dict[str | None, list[str]] = {}
        for agency, parent in self.parents.items():
            children.setdefault(parent, []).append(agency)
        stack = list(reversed(children.get(agency_id, [])))
        while stack:
            agency = stack.pop()
            yield agency
            stack.extend(reversed(children.get(agency, [])))


def load_agency_tree(path: Path) -> AgencyTree:
    """Read a registry file; MalformedInput if it is not one, InputUnavailable if unreadable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputUnavailable(f"{path}: {exc.strerror}") from None
    where = f"agency registry {path}"
    data = _object(f.load_object(raw, None), where)
    if data.get("format") != REGISTRY_FORMAT:
        stated = data.get("format")
        raise MalformedInput(f"{where}: format expected {REGISTRY_FORMAT}, got {stated!r}")
    records = data.get("agencies")
    if not isinstance(records, list):
        raise MalformedInput(f"{where}: 'agencies' must be a list")
    parents: dict[str, str | None] = {}
    hubs: list[str] = []
    for index, record in enumerate(records):
        try:
            agency, parent, hub = _record(record)
        except MalformedInput as exc:
            raise MalformedInput(f"{where}, agency #{index}: {exc.message}") from None
        if agency in parents:
            raise MalformedInput(f"{where}: agency {agency!r} appears twice")
        parents[agency] = parent
        if hub:
            hubs.append(agency)
    _check_tree(parents, where)
    return AgencyTree(parents, tuple(hubs))


def _record(record: object) -> tuple[str, str | None, bool]:
    item = _object(record, "record")
    hub = item.get("is_hub")
    if not isinstance(hub, bool):
        raise MalformedInput(f"is_hub must be true or false, got {hub!r}")
    return f.text(item, "id", None), f.optional_text(item, "parent", None), hub


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise MalformedInput(f"{where}: a JSON object expected")
    return value


def _check_tree(parents: dict[str, str | None], where: str) -> None:
    """Every parent exists and no chain of parents loops."""
    for agency in parents:
        seen, parent = {agency}, parents[agency]
        while parent is not None:
            if parent not in parents:
                raise MalformedInput(f"{where}: agency {agency!r}: parent {parent!r} not listed")
            if parent in seen:
                raise MalformedInput(f"{where}: agency {agency!r}: parent chain loops")
            seen.add(parent)
            parent = parents[parent]

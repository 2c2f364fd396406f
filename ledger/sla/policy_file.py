"""Parsing and validation of one SLA policy file (format 1, see docs/sla.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.sla.errors import PolicyFileError
from ledger.sla.policy import HANDLING_CLASSES, URGENCIES, Clock, Duration, Rule

POLICY_FORMAT = 1
_TOP_FIELDS = {"format", "name", "version", "title", "effective_from", "source", "clocks"}
_RULE_FIELDS = {"handling_class", "urgency", "duration", "note"}
_CLOCK_NAMES = [clock.value for clock in Clock]


@dataclass(frozen=True)
class PolicyDraft:
    """A parsed policy file before its inheritance is resolved."""

    name: str
    version: int
    title: str
    source: str
    effective_from: date
    own: Mapping[Clock, tuple[Rule, ...]]
    inherits: Mapping[Clock, str]


def split_ref(ref: Any, *, where: str) -> tuple[str, int]:
    """Split a pinned reference 'name@version' into its parts."""
    if not isinstance(ref, str) or ref.count("@") != 1:
        raise PolicyFileError(f"{where}: expected 'name@version', got {ref!r}")
    name, _, version = ref.partition("@")
    if not name or not (version.isascii() and version.isdigit()):
        raise PolicyFileError(f"{where}: expected 'name@version', got {ref!r}")
    return name, int(version)


def parse_policy(document: Any, file_name: str) -> PolicyDraft:
    """Validate one policy file's top level and clocks."""
    if not isinstance(document, dict) or set(document) != _TOP_FIELDS:
        raise PolicyFileError(f"{file_name}: expected exactly the fields {sorted(_TOP_FIELDS)}")
    if document["format"] != POLICY_FORMAT:
        raise PolicyFileError(f"{file_name}: unsupported format {document['format']!r}")
    for field in ("name", "title", "source", "effective_from"):
        if not isinstance(document[field], str) or not document[field].strip():
            raise PolicyFileError(f"{file_name}: {field} must be a non-empty string")
    name, version = document["name"], document["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise PolicyFileError(f"{file_name}: version must be a positive integer")
    if file_name != f"{name}.v{version}.json":
        raise PolicyFileError(f"{file_name}: file must be named {name}.v{version}.json")
    try:
        effective_from = date.fromisoformat(document["effective_from"])
    except ValueError:
        raise PolicyFileError(f"{file_name}: effective_from is not an ISO date") from None
    clocks = document["clocks"]
    if not isinstance(clocks, dict) or not clocks:
        raise PolicyFileError(f"{file_name}: clocks must be a non-empty object")
    own: dict[Clock, tuple[Rule, ...]] = {}
    inherits: dict[Clock, str] = {}
    for key, spec in clocks.items():
        where = f"{file_name}: clocks.{key}"
        if key not in _CLOCK_NAMES:
            raise PolicyFileError(f"{where}: unknown clock; expected one of {_CLOCK_NAMES}")
        if not isinstance(spec, dict) or not spec or not set(spec) <= {"rules", "inherits"}:
            raise PolicyFileError(f"{where}: expected 'rules' and/or 'inherits'")
        clock = Clock(key)
        if "inherits" in spec:
            parent_name, parent_version = split_ref(spec["inherits"], where=f"{where}.inherits")
            inherits[clock] = f"{parent_name}@{parent_version}"
        rules = tuple(_parse_rules(spec.get("rules", []), f"{where}.rules", f"{name}@{version}"))
        if "rules" in spec and not rules:
            raise PolicyFileError(f"{where}.rules: must not be empty")
        own[clock] = rules
    return PolicyDraft(
        name, version, document["title"], document["source"], effective_from, own, inherits
    )


def _parse_rules(rules: Any, where: str, origin: str) -> list[Rule]:
    """Validate the rule list of one clock and refuse ambiguous pairs."""
    if not isinstance(rules, list):
        raise PolicyFileError(f"{where}: expected a list")
    parsed: list[Rule] = []
    for index, raw in enumerate(rules):
        label = f"{where}[{index}]"
        if not isinstance(raw, dict) or "duration" not in raw or not set(raw) <= _RULE_FIELDS:
            raise PolicyFileError(
                f"{label}: expected 'duration' and optional {sorted(_RULE_FIELDS)}"
            )
        handling_class = raw.get("handling_class")
        if handling_class is not None and (
            not isinstance(handling_class, str) or handling_class not in HANDLING_CLASSES
        ):
            raise PolicyFileError(f"{label}: unknown handling_class {handling_class!r}")
        urgency = raw.get("urgency")
        if urgency is not None and (
            not isinstance(urgency, list)
            or not urgency
            or not all(isinstance(u, str) and u in URGENCIES for u in urgency)
        ):
            raise PolicyFileError(
                f"{label}: urgency must be a non-empty list of {sorted(URGENCIES)}"
            )
        duration = raw["duration"]
        if not isinstance(duration, dict) or len(duration) != 1:
            raise PolicyFileError(f"{label}: duration must be one of {{unit: amount}}")
        try:
            [(unit, amount)] = duration.items()
            rule = Rule(
                duration=Duration(unit, amount),
                origin=origin,
                handling_class=handling_class,
                urgencies=None if urgency is None else frozenset(urgency),
                note=str(raw.get("note", "")),
            )
        except ValueError as error:
            raise PolicyFileError(f"{label}: {error}") from None
        clash = next((i for i, other in enumerate(parsed) if other.overlaps(rule)), None)
        if clash is not None:
            raise PolicyFileError(f"{label}: ambiguous, overlaps {where}[{clash}]")
        parsed.append(rule)
    return parsed

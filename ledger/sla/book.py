"""The policy book: every SLA policy file, validated, with per-clock inheritance resolved."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ledger.sla.errors import PolicyFileError, UnknownPolicy
from ledger.sla.policy import Clock, Rule, SlaPolicy
from ledger.sla.policy_file import PolicyDraft, parse_policy, split_ref


class PolicyBook:
    """All known SLA policies, addressable by name and version."""

    def __init__(self, policies: Iterable[SlaPolicy]) -> None:
        self._by_ref: dict[str, SlaPolicy] = {}
        self._latest: dict[str, SlaPolicy] = {}
        for policy in policies:
            if policy.ref in self._by_ref:
                raise PolicyFileError(f"policy {policy.ref} is defined twice")
            self._by_ref[policy.ref] = policy
            latest = self._latest.get(policy.name)
            if latest is None or policy.version > latest.version:
                self._latest[policy.name] = policy

    @classmethod
    def load_default(cls) -> PolicyBook:
        """Load every policy file shipped in ledger/sla/policies/."""
        folder = resources.files("ledger.sla.policies")
        documents = {
            entry.name: entry.read_text("utf-8")
            for entry in folder.iterdir()
            if entry.name.endswith(".json")
        }
        return cls.from_texts(documents)

    @classmethod
    def from_directory(cls, path: str | Path) -> PolicyBook:
        """Load every *.json policy file of a directory."""
        return cls.from_texts({p.name: p.read_text("utf-8") for p in Path(path).glob("*.json")})

    @classmethod
    def from_texts(cls, documents: Mapping[str, str]) -> PolicyBook:
        """Parse policy files given as {file name: JSON text}."""
        parsed: dict[str, Any] = {}
        for file_name, text in documents.items():
            try:
                parsed[file_name] = json.loads(text)
            except json.JSONDecodeError as error:
                raise PolicyFileError(f"{file_name}: not valid JSON: {error}") from None
        return cls.from_documents(parsed)

    @classmethod
    def from_documents(cls, documents: Mapping[str, Any]) -> PolicyBook:
        """Validate decoded policy files, given as {file name: JSON object}, and resolve them."""
        drafts: dict[str, PolicyDraft] = {}
        for file_name in sorted(documents):
            draft = parse_policy(documents[file_name], file_name)
            ref = f"{draft.name}@{draft.version}"
            if ref in drafts:
                raise PolicyFileError(f"{file_name}: policy {ref} is defined twice")
            drafts[ref] = draft
        resolved: dict[str, SlaPolicy] = {}
        for ref in drafts:
            _resolve(ref, drafts, resolved, ())
        return cls(resolved.values())

    def get(self, name: str, version: int | None = None) -> SlaPolicy:
        """The policy of this name: the given version, or the latest if version is None."""
        if version is not None:
            try:
                return self._by_ref[f"{name}@{version}"]
            except KeyError:
                raise UnknownPolicy(f"{name}@{version}") from None
        try:
            return self._latest[name]
        except KeyError:
            raise UnknownPolicy(name) from None

    def get_ref(self, ref: str) -> SlaPolicy:
        """The policy of a pinned reference such as 'national-2018@1'."""
        name, version = split_ref(ref, where="reference")
        return self.get(name, version)

    def all(self) -> tuple[SlaPolicy, ...]:
        """Every policy version, sorted by name and version."""
        return tuple(sorted(self._by_ref.values(), key=lambda p: (p.name, p.version)))

    def names(self) -> frozenset[str]:
        """The names of all policies."""
        return frozenset(policy.name for policy in self._by_ref.values())


def _resolve(
    ref: str,
    drafts: Mapping[str, PolicyDraft],
    resolved: dict[str, SlaPolicy],
    path: tuple[str, ...],
) -> SlaPolicy:
    """Build the SlaPolicy of ref, its parents first, refusing unknown parents and cycles."""
    if ref in resolved:
        return resolved[ref]
    draft = drafts[ref]
    if ref in path:
        raise PolicyFileError(f"policy {ref}: inheritance cycle {' -> '.join((*path, ref))}")
    layers: dict[Clock, tuple[tuple[Rule, ...], ...]] = {}
    for clock in Clock:
        own = draft.own.get(clock, ())
        inherited: tuple[tuple[Rule, ...], ...] = ()
        parent_ref = draft.inherits.get(clock)
        if parent_ref is not None:
            if parent_ref not in drafts:
                raise PolicyFileError(f"policy {ref}: clock {clock} inherits unknown {parent_ref}")
            parent = _resolve(parent_ref, drafts, resolved, (*path, ref))
            if clock not in parent.layers:
                raise PolicyFileError(
                    f"policy {ref}: clock {clock} inherits from {parent_ref}, "
                    "which has no such clock"
                )
            inherited = tuple(parent.layers[clock])
        if own or inherited:
            layers[clock] = ((own,) if own else ()) + inherited
    policy = SlaPolicy(
        name=draft.name,
        version=draft.version,
        title=draft.title,
        source=draft.source,
        effective_from=draft.effective_from,
        layers=MappingProxyType(layers),
        inherits=MappingProxyType(dict(draft.inherits)),
    )
    resolved[ref] = policy
    return policy

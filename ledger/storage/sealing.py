"""Field-level sealing of stored events (AES-256-GCM under the report's data key).

Each event class names its sensitive fields in `sealed_fields`. The mapper stores the clear
header in the open and replaces each sensitive value by an envelope; the associated data
binds stream id, version, event type and field name, so a sealed value cannot be moved to
another event. Hashes cover the stored bytes, so every proof verifies without any key.
"""

from __future__ import annotations

import base64
import os
from binascii import b2a_base64
from collections.abc import Callable
from typing import Any, NamedTuple
from uuid import UUID

from cryptography.exceptions import InvalidTag
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from ledger.storage.keys import DataKey

SEAL_MARK = "$sealed"
SEAL_VERSION = 1


class SealedFieldUnreadable(Exception):
    """A sealed field failed authentication: the stored bytes were altered."""


DataKeyLookup = Callable[[UUID], DataKey | None]


def sealed_fields_of(cls: type) -> frozenset[str]:
    """The fields an event class declares sensitive."""
    return frozenset(getattr(cls, "sealed_fields", frozenset()))


def is_envelope(value: object) -> bool:
    """True if a stored value is a sealed-field envelope."""
    return isinstance(value, dict) and value.get(SEAL_MARK) == SEAL_VERSION


_AAD_PREFIX = b"lapor-ledger/seal/v1"


class _Plan(NamedTuple):
    """Per event class: its topic, class version and sealed fields with their AAD tails."""

    topic: str
    class_version: int
    sealed: tuple[tuple[str, bytes], ...]


def _aad(stream_id: UUID, version: int, topic: str, field: str) -> bytes:
    """Associated data: prefix | stream id (16 bytes) | version | event type | field name."""
    return b"|".join(
        (
            _AAD_PREFIX,
            stream_id.bytes,
            str(version).encode(),
            topic.encode(),
            field.encode(),
        )
    )


class SealingMapper(Mapper[UUID]):
    """Maps domain events to stored events, sealing and opening sensitive fields."""

    def __init__(
        self, transcoder: Transcoder, data_key: DataKeyLookup, *, open_sealed: bool = True
    ):
        super().__init__(transcoder=transcoder)
        self._data_key = data_key
        self.open_sealed = open_sealed
        self._plans: dict[type, _Plan] = {}

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """Encode an event, sealing each declared sensitive field that has a value."""
        cls = type(domain_event)
        plan = self._plans.get(cls) or self._plan(cls)
        state = dict(vars(domain_event))
        originator_id: UUID = state.pop("originator_id")
        version: int = state.pop("originator_version")
        if plan.class_version > 1:
            state["class_version"] = plan.class_version
        key: DataKey | None = None
        aad_head = nonces = b""
        for n, (name, aad_tail) in enumerate(plan.sealed):
            value = state.get(name)
            if value is None:
                continue
            if key is None:
                key = self._data_key(originator_id)
                if key is None:
                    raise SealedFieldUnreadable(
                        f"report {originator_id} has no data key: cannot seal {name!r}"
                    )
                aad_head = b"%s|%s|%d" % (_AAD_PREFIX, originator_id.bytes, version)
                nonces = os.urandom(12 * len(plan.sealed))  # one random nonce per field
            nonce = nonces[12 * n : 12 * n + 12]
            ct = key.aead.encrypt(nonce, self.transcoder.encode(value), aad_head + aad_tail)
            state[name] = {
                SEAL_MARK: SEAL_VERSION,
                "alg": "A256GCM",
                "kid": key.key_id,
                "ct": b2a_base64(nonce + ct, newline=False).decode("ascii"),
            }
        return StoredEvent(
            originator_id=originator_id,
            originator_version=version,
            topic=plan.topic,
            state=self.transcoder.encode(state),
        )

    def _plan(self, cls: type) -> _Plan:
        """What encoding an event class takes, worked out once per class."""
        topic = get_topic(cls)
        plan = _Plan(
            topic=topic,
            class_version=getattr(cls, "class_version", 1),
            sealed=tuple(
                (name, b"|%s|%s" % (topic.encode(), name.encode()))
                for name in sorted(sealed_fields_of(cls))
            ),
        )
        self._plans[cls] = plan
        return plan

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """Decode an event; sealed fields open if the key exists, else read as None."""
        cls = resolve_topic(stored_event.topic)
        state: dict[str, Any] = self.transcoder.decode(stored_event.state)
        sealed = sealed_fields_of(cls)
        if sealed:
            stream_id = UUID(str(stored_event.originator_id))
            key = self._data_key(stream_id) if self.open_sealed else None
            for name in sealed:
                value = state.get(name)
                if not isinstance(value, dict) or not is_envelope(value):
                    continue
                state[name] = (
                    None
                    if key is None
                    else self._open(
                        key,
                        value,
                        stream_id,
                        stored_event.originator_version,
                        stored_event.topic,
                        name,
                    )
                )
        state["originator_id"] = UUID(str(stored_event.originator_id))
        state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def _open(
        self,
        key: DataKey,
        envelope: dict[str, Any],
        stream_id: UUID,
        version: int,
        topic: str,
        name: str,
    ) -> Any:
        raw = base64.b64decode(envelope["ct"])
        try:
            plaintext = key.aead.decrypt(raw[:12], raw[12:], _aad(stream_id, version, topic, name))
        except InvalidTag:
            raise SealedFieldUnreadable(
                f"sealed field {name!r} of report {stream_id} v{version} failed authentication"
            ) from None
        return self.transcoder.decode(plaintext)

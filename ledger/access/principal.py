"""The authenticated caller of the API and the actor it becomes on events."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain import Actor, Role


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller: a token's role and agency, or an anonymous reporter (no token)."""

    role: Role
    agency_id: str | None = None
    token_id: str | None = None
    label: str = ""

    @property
    def is_anonymous(self) -> bool:
        """True when the request carried no token."""
        return self.token_id is None

    def as_actor(self) -> Actor:
        """The actor recorded on events: the token id (never its secret), role and agency."""
        return Actor(self.token_id, self.role, self.agency_id)


ANONYMOUS = Principal(Role.REPORTER)

"""API tokens: issued by the operator, checked on every request, revoked at once."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime

from ledger.access import tokens
from ledger.access.errors import Unauthenticated, UnknownToken
from ledger.access.policy import AGENCY_BOUND, TOKEN_ROLES
from ledger.access.principal import ANONYMOUS, Principal
from ledger.agencies.registry import AgencyRegistry
from ledger.domain import InvalidCommand, Role
from ledger.storage.access import AccessStore, TokenRecord
from ledger.usecases.results import NewToken, TokenInfo
from ledger.usecases.shaping import from_us

_DUMMY_HASH = tokens.hash_secret("x" * 43)
_REFUSED = "invalid or revoked bearer token"
MAX_LABEL = 200


def _info(row: TokenRecord) -> TokenInfo:
    revoked = None if row.revoked_at_us is None else from_us(row.revoked_at_us)
    return TokenInfo(
        row.token_id, row.role, row.agency_id, row.label, from_us(row.created_at_us), revoked
    )


class Tokens:
    """Operator and request-time use cases on API tokens."""

    def __init__(
        self, store: AccessStore, registry: AgencyRegistry, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock

    def create(self, role: str, agency_id: str | None = None, label: str = "") -> NewToken:
        """Issue a token bound to a role and (for agency roles) an agency."""
        try:
            bound = Role(role)
        except ValueError:
            bound = Role.SYSTEM
        if bound not in TOKEN_ROLES:
            allowed = ", ".join(sorted(r.value for r in TOKEN_ROLES))
            raise InvalidCommand(f"unknown role {role!r}; expected one of: {allowed}", field="role")
        if agency_id is not None and agency_id not in self.registry:
            raise InvalidCommand(f"unknown agency {agency_id!r}", field="agency")
        if agency_id is None and bound in AGENCY_BOUND:
            raise InvalidCommand(f"role {role} needs --agency", field="agency")
        if len(label) > MAX_LABEL or not label.isprintable():
            raise InvalidCommand(f"label: at most {MAX_LABEL} printable characters", field="label")
        issued = tokens.issue()
        row = TokenRecord(
            issued.token_id,
            issued.secret_hash,
            bound.value,
            agency_id,
            label or f"{bound.value}{'@' + agency_id if agency_id else ''}",
            int(self.clock().timestamp() * 1_000_000),
        )
        self.store.insert_token(row)
        return NewToken(_info(row), issued.bearer)

    def list(self) -> list[TokenInfo]:
        """Every token, revoked ones included."""
        return [_info(row) for row in self.store.list_tokens()]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token; requests with it are refused from now on."""
        self.store.revoke_token(token_id, int(self.clock().timestamp() * 1_000_000))
        row = self.store.get_token(token_id)
        if row is None:
            raise UnknownToken(f"no token with id {token_id!r}")
        return _info(row)

    def authenticate(self, bearer: str | None, *, anonymous_ok: bool = False) -> Principal:
        """The principal behind a bearer token; the anonymous reporter when allowed."""
        if bearer is None:
            if anonymous_ok:
                return ANONYMOUS
            raise Unauthenticated("a bearer token is required")
        parsed = tokens.parse(bearer)
        row = None if parsed is None else self.store.get_token(parsed[0])
        secret = "" if parsed is None else parsed[1]
        stored = _DUMMY_HASH if row is None else row.secret_hash
        matches = hmac.compare_digest(tokens.hash_secret(secret), stored)
        if row is None or not matches or row.revoked_at_us is not None:
            raise Unauthenticated(_REFUSED)
        return Principal(Role(row.role), row.agency_id, row.token_id, row.label)

    def resume(self, token_id: str) -> Principal:
        """The principal of a signed-in web session: its token must exist and be unrevoked."""
        row = self.store.get_token(token_id)
        if row is None or row.revoked_at_us is not None:
            raise Unauthenticated(_REFUSED)
        return Principal(Role(row.role), row.agency_id, row.token_id, row.label)

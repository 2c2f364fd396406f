"""`lapor-ledger tokens`: issue, list and revoke API bearer tokens."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from rich.console import Console

from api.extension import usecases
from ledger.access.policy import TOKEN_ROLES
from ledger.domain import LedgerError

err = Console(stderr=True)


@click.group("tokens")
def tokens_group() -> None:
    """Issue, list and revoke API bearer tokens (stored as SHA-256 hashes only)."""


@tokens_group.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice(sorted(r.value for r in TOKEN_ROLES)),
    help="Role of DOMAIN.md the token acts as.",
)
@click.option("--agency", default=None, help="Agency id (required for agency roles).")
@click.option("--label", default="", help="Who holds it, e.g. 'Admin Dinkes Kota Serang'.")
@with_appcontext
def create_command(role: str, agency: str | None, label: str) -> None:
    """Create a token; the token alone goes to standard output, shown this once."""
    try:
        new = usecases().tokens.create(role, agency, label)
    except LedgerError as e:
        raise click.UsageError(str(e)) from None
    where = f" of {new.info.agency_id}" if new.info.agency_id else ""
    err.print(f"token {new.info.token_id}: {new.info.role}{where} ({new.info.label})")
    err.print("keep it secret; it is not stored and cannot be shown again")
    click.echo(new.bearer)


@tokens_group.command("list")
@with_appcontext
def list_command() -> None:
    """List tokens, tab-separated: id, role, agency, label, created, revoked (never secrets)."""
    click.echo("\t".join(("id", "role", "agency", "label", "created", "revoked")))
    for t in usecases().tokens.list():
        revoked = t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else "-"
        created = t.created_at.isoformat(timespec="seconds")
        click.echo("\t".join((t.token_id, t.role, t.agency_id or "-", t.label, created, revoked)))


@tokens_group.command("revoke")
@click.argument("token_id")
@with_appcontext
def revoke_command(token_id: str) -> None:
    """Revoke a token at once."""
    try:
        info = usecases().tokens.revoke(token_id)
    except LedgerError as e:
        raise click.UsageError(str(e)) from None
    err.print(f"token {info.token_id} ({info.role}, {info.label}) revoked")


commands = (tokens_group,)

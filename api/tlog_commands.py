"""`lapor-ledger keys …` and `lapor-ledger checkpoint`: the transparency log's operator commands.

Log signing keys live in `LEDGER_TLOG_KEY_DIR` (default `<LEDGER_KEY_DIR>/log`); see
docs/transparency-log.md for rotation. The factory registers `commands` (api.cli).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from rich.console import Console

from api.extension import holder
from ledger.tlog import TlogConfig, TlogError
from ledger.tlog.keys import LogKeys, add_key, retire_key

err = Console(stderr=True)


def _config() -> TlogConfig:
    return holder().tlog_config


@click.group("keys")
def keys_group() -> None:
    """Manage the log's Ed25519 checkpoint signing keys."""


@keys_group.command("init")
@with_appcontext
def keys_init_command() -> None:
    """Create the first log signing key (refused if the log already has keys)."""
    config = _config()
    if any(config.key_dir.glob("*.vkey")):
        raise click.ClickException(
            f"{config.key_dir} already holds log keys: use `keys rotate` to add one"
        )
    click.echo(add_key(config.key_dir, config.origin))
    err.print(f"log signing key created in {config.key_dir}; publish its vkey to verifiers")


@keys_group.command("rotate")
@with_appcontext
def keys_rotate_command() -> None:
    """Add a new log signing key; every active key signs until retired."""
    config = _config()
    LogKeys.load(config.key_dir, config.origin)  # refuse to rotate a folder that is not ours
    click.echo(add_key(config.key_dir, config.origin))
    err.print(
        "new key active; the old keys keep signing too. Once verifiers have the new vkey, "
        "run `keys retire KEYID` for each old key."
    )


@keys_group.command("retire")
@click.argument("key_id")
@with_appcontext
def keys_retire_command(key_id: str) -> None:
    """Stop signing with KEY_ID (hex key id or file stem); its vkey stays listed."""
    config = _config()
    try:
        click.echo(retire_key(config.key_dir, config.origin, key_id))
    except TlogError as e:
        raise click.ClickException(str(e)) from None
    err.print("key retired: its private file is destroyed, its vkey is kept for old checkpoints")


@keys_group.command("vkey")
@with_appcontext
def keys_vkey_command() -> None:
    """Print the log's verifier keys: the active ones, then the retired ones."""
    config = _config()
    try:
        keys = LogKeys.load(config.key_dir, config.origin)
    except TlogError as e:
        raise click.ClickException(str(e)) from None
    for vkey in keys.vkeys():
        click.echo(vkey)
    err.print(f"{len(keys.active)} active, {len(keys.retired)} retired")


@click.command("checkpoint")
@with_appcontext
def checkpoint_command() -> None:
    """Integrate new entries, sign a checkpoint now, and print the latest cosigned note."""
    try:
        tlog = holder().tlog
        signed = tlog.publish_once()
        latest = tlog.latest_checkpoint()
    except TlogError as e:
        raise click.ClickException(str(e)) from None
    if signed is None:
        err.print(f"nothing new to sign; the latest checkpoint is at size {latest.tree_size}")
    else:
        err.print(f"signed a checkpoint at size {signed.tree_size}")
    click.echo(tlog.cosigned_note(latest), nl=False)


commands = (keys_group, checkpoint_command)

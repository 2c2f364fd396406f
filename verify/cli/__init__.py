"""The `lapor-verify` command: check a LAPOR! ledger without trusting its operator.

Exit codes: 0 every check passed; 1 verification failed (forged, damaged or inconsistent);
2 malformed input, input that could not be fetched, or a usage error. `--json` prints one
JSON object on stdout instead of text. The checks live in the library modules; this package
parses options, shows progress (rich, on stderr, on a terminal only) and prints results.
"""

from __future__ import annotations

import importlib

import click

from verify.cli.common import EXIT_CODES_HELP

__all__ = ["main"]

# Each command's module is imported only when that command runs, so that `lapor-verify bundle`
# does not pay for importing the other commands (a noticeable part of a short run).
COMMANDS = {
    "bundle": ("verify.cli.bundle_command", "bundle"),
    "log": ("verify.cli.log_command", "log"),
    "receipt": ("verify.cli.proof_commands", "receipt"),
    "report": ("verify.cli.proof_commands", "report"),
    "sla": ("verify.cli.sla_command", "sla"),
    "witness": ("verify.cli.witness_commands", "witness"),
    "witness-keygen": ("verify.cli.witness_commands", "witness_keygen"),
}


class _LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP,
)
def main() -> None:
    """Verify a LAPOR! audit ledger independently of its operator.

    Needs no decryption key and no access to the operator's systems: sealed content is
    verified as the ciphertext that the hashes cover. The checks are numbered as in
    docs/verify.md, and each command's --help lists its own; every command shares the exit
    codes and --json.
    """

"""The `lapor-verify` command: check a LAPOR! ledger without trusting its operator.

Exit codes: 0 every check passed; 1 verification failed (forged, damaged or inconsistent);
2 malformed input, input that could not be fetched, or a usage error. `--json` prints one
JSON object on stdout instead of text. The checks live in the library modules; this package
parses options, shows progress (rich, on stderr, on a terminal only) and prints results.
"""

from __future__ import annotations

import click

from verify.cli.bundle_command import bundle
from verify.cli.common import EXIT_CODES_HELP
from verify.cli.log_command import log
from verify.cli.proof_commands import receipt, report
from verify.cli.sla_command import sla
from verify.cli.witness_commands import witness, witness_keygen

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
def main() -> None:
    """Verify a LAPOR! audit ledger independently of its operator.

    Needs no decryption key and no access to the operator's systems: sealed content is
    verified as the ciphertext that the hashes cover. The checks are numbered as in
    docs/verify.md, and each command's --help lists its own; every command shares the exit
    codes and --json.
    """


for command in (bundle, log, receipt, report, sla, witness, witness_keygen):
    main.add_command(command)

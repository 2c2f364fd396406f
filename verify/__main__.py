"""Run the verifier as `python -m verify`: the same as the `lapor-verify` command."""

from verify.cli import main

main(prog_name="lapor-verify")

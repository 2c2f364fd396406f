"""Independent verifier of the LAPOR! audit ledger: a library and the `lapor-verify` command.

It imports nothing of ledger/, api/ or projections/ (a test enforces this): only the standard
library, `cryptography`, and for the command line `click` and `rich`. See docs/verify.md.
"""

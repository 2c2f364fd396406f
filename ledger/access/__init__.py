"""Who may do and see what: principals, tokens, receipts, rate limits and the access policy."""

from __future__ import annotations

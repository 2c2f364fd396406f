"""c2sp.org/signed-note examples (../shared/vectors/signed-note/examples.json)."""

from __future__ import annotations

from typing import Any

import pytest

from verify.errors import VerificationError
from verify.note import parse_vkey, verify_note


def test_signed_note_vector(signed_note_case: dict[str, Any]) -> None:
    key = parse_vkey(signed_note_case["vkey"])
    if signed_note_case["want_err"]:
        with pytest.raises(VerificationError):
            verify_note(signed_note_case["note"], [key])
    else:
        verified = verify_note(signed_note_case["note"], [key])
        assert [signature.name for signature in verified.signatures] == [key.name]
        assert signed_note_case["note"].startswith(verified.text)

"""The stored response of an idempotent append: its JSON reads back as the same result."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from ledger.integrity.chain import LedgerRow
from ledger.usecases.appends import _decode, _encode, completed
from ledger.usecases.results import ActionResult
from ledger.usecases.shaping import from_us, plain

AT = datetime(2026, 3, 20, 1, 2, 3, 456789, tzinfo=UTC)


@pytest.mark.parametrize(
    "extra",
    [{}, {"replayed": True}, {"waited": True, "checkpoint_size": 12, "checkpoint": "note\n"}],
)
def test_encoding_is_the_generic_one_and_reads_back(extra: dict[str, object]) -> None:
    result = ActionResult(uuid4(), "annotate", 7, "in_follow_up", "Annotated", 41, "ab" * 32, AT)
    result = ActionResult(**{**asdict(result), **extra})
    text = _encode(result)
    assert json.loads(text) == plain(asdict(result))
    assert _decode(text) == result


def test_a_completion_renders_the_stored_entry() -> None:
    staged = ActionResult(uuid4(), "follow_up", 3, "in_follow_up", "FollowedUp", -1, "", from_us(0))
    row = LedgerRow(99, staged.report_id, 3, 1_700_000_000_123_456, bytes(32), bytes([7]) * 32)
    rendered = _decode(completed(staged)(row))
    assert (rendered.leaf_index, rendered.entry_hash) == (99, "07" * 32)
    assert rendered.recorded_at == from_us(1_700_000_000_123_456)
    assert (rendered.report_id, rendered.version) == (staged.report_id, 3)
    assert rendered.action == "follow_up"

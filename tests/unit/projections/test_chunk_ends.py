"""Where the chunks of a rebuild's parts end (`projections.rebuild._chunk_end`)."""

from __future__ import annotations

import pytest

from projections.rebuild import _chunk_end
from projections.source import Part


def ends(part: Part, chunk: int, start: int | None = None) -> list[int]:
    out, at = [], start
    while at != part.until:
        at = _chunk_end(part, chunk, at)
        out.append(at)
    return out


def test_two_parts_of_a_million_events_end_staggered_and_together() -> None:
    top = 1_000_039
    assert ends(Part(0, 2, top), 100_000) == [100_000, 300_000, 500_000, 700_000, 900_000, top]
    assert ends(Part(1, 2, top), 100_000) == [200_000, 400_000, 600_000, 800_000, top]


def test_less_than_half_a_chunk_left_goes_with_the_last_chunk() -> None:
    # part 1's grid would end at 1 000 000, leaving 39 ids (about 20 events) for a chunk alone
    assert ends(Part(1, 2, 1_000_039), 100_000)[-2:] == [800_000, 1_000_039]
    assert ends(Part(1, 2, 1_099_999), 100_000)[-2:] == [800_000, 1_099_999]
    assert ends(Part(1, 2, 1_100_000), 100_000)[-2:] == [1_000_000, 1_100_000]


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_a_resumed_part_keeps_its_grid(count: int) -> None:
    chunk, top = 70, 5_000
    for index in range(count):
        grid = ends(Part(index, count, top), chunk)
        for start in (0, 1, grid[0] - 1, grid[0], grid[0] + 1, grid[1] + 5, top - 1):
            assert ends(Part(index, count, top), chunk, start) == [e for e in grid if e > start]


def test_a_log_shorter_than_a_chunk_is_one_chunk() -> None:
    assert ends(Part(0, 2, 50), 100) == [50]
    assert ends(Part(1, 3, 1), 100) == [1]

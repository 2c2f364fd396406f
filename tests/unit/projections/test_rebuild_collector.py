"""At a rebuild's end the collector runs again, counting what the rebuild left alive as old:
it does not walk every object the rebuild made at its next allocation."""

from __future__ import annotations

import gc

from projections.rebuild import _collect_again


def test_what_the_rebuild_left_alive_joins_the_oldest_generation() -> None:
    gc.collect()
    gc.disable()
    try:
        left = [[i] for i in range(50_000)]  # made while the collector waited
        mine = {id(x) for x in left}
    finally:
        _collect_again()
    assert gc.isenabled()
    young = gc.get_objects(generation=0) + gc.get_objects(generation=1)
    assert not mine & {id(x) for x in young}
    assert len(mine & {id(x) for x in gc.get_objects(generation=2)}) == len(left)

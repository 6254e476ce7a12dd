"""The serving process's start-up heap is exempted from the cyclic garbage collector."""

from __future__ import annotations

import gc

from smartcity.runtime import freeze_heap


def test_freeze_heap_moves_what_is_alive_out_of_the_collectors_reach() -> None:
    alive = [[] for _ in range(10)]  # tracked containers, alive now: frozen with the rest
    before = gc.get_freeze_count()
    try:
        freeze_heap()
        assert gc.get_freeze_count() >= before + len(alive)
        assert gc.isenabled()  # only frozen: reference counting and later collections go on
    finally:
        gc.unfreeze()  # the test process is not a server: give its objects back

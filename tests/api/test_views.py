"""Whole-store views: computed once per data generation, off the request path once a first
value exists; after a write the previous value answers while the new one is computed."""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext

import pytest

from api.views import GenerationViews
from collex.errors import Busy


def test_one_computation_per_generation_and_stale_while_recomputing() -> None:
    generation = [0]
    calls: list[int] = []
    release = threading.Event()

    def compute(_: object) -> int:
        calls.append(generation[0])
        if generation[0] == 1:
            release.wait(10)
        return generation[0] * 10

    views = GenerationViews(lambda: generation[0], lambda: nullcontext(None), wait=5)  # type: ignore[arg-type,return-value]
    assert views.get("v", compute) == 0
    assert views.get("v", compute) == 0 and calls == [0]  # computed once
    generation[0] = 1  # a write
    started = time.monotonic()
    assert views.get("v", compute) == 0  # the previous value, at once
    assert views.get("v", compute) == 0 and time.monotonic() - started < 1
    release.set()
    for _ in range(100):
        if views.get("v", compute) == 10:
            break
        time.sleep(0.02)
    assert views.get("v", compute) == 10 and calls == [0, 1]


def test_a_first_value_that_cannot_be_computed_is_a_retry_later() -> None:
    def broken(_: object) -> int:
        raise RuntimeError("store busy")

    views = GenerationViews(lambda: 0, lambda: nullcontext(None), wait=5)  # type: ignore[arg-type,return-value]
    with pytest.raises(Busy):
        views.get("v", broken)
    slow = GenerationViews(lambda: 0, lambda: nullcontext(None), wait=0.2)  # type: ignore[arg-type,return-value]
    with pytest.raises(Busy) as caught:
        slow.get("v", lambda _: time.sleep(1) or 1)  # type: ignore[func-returns-value]
    assert caught.value.headers["Retry-After"] == "5"

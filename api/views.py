"""Whole-store views computed by the server itself, once per data generation.

The statistics (status page), the VoID document, the service description's graph list and
the lists of networks and institutions read the whole store: seconds at S, tens of seconds at
M. Computed in the request, they queued behind heavy public queries and answered 503 under
load (a 10-minute soak: every VoID request, measured). Here each view is computed in a
background thread, by the server's own queries on its own reader (``own``: the newest
snapshot opened in the server process, outside the query pool: these queries are the
project's, bounded, not a client's), and:

- a request gets the value of the current generation when there is one;
- after a write, it gets the previous generation's value at once while the new one is
  computed (the views describe the dataset, and lag a write by the time of one computation);
- before any value exists, it waits for the first computation, at most ``wait`` seconds
  (then 503 with Retry-After).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from collex.errors import Busy, CollexError
from graph.base import ReadStore

T = TypeVar("T")
log = logging.getLogger("collex.views")


class GenerationViews:
    def __init__(self, generation: Callable[[], int],
                 own: Callable[[], AbstractContextManager[ReadStore]],
                 wait: float = 30.0,
                 computations: Mapping[str, Callable[[ReadStore], Any]] | None = None) -> None:
        self._generation = generation
        self._own = own
        self.computations = dict(computations or {})  # name -> how to compute it
        self._wait = wait
        self._values: dict[str, tuple[int, Any]] = {}
        self._running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def start(self, name: str, compute: Callable[[ReadStore], Any] | None = None
              ) -> threading.Event:
        """Start computing ``name`` (by ``compute``, else as registered) for the current
        generation unless that is under way; the event is set when the computation ends."""
        compute = compute or self.computations[name]
        generation = self._generation()
        with self._lock:
            done = self._running.get(name)
            if done is None:
                done = self._running[name] = threading.Event()
                threading.Thread(target=self._compute, args=(name, compute, generation, done),
                                 name=f"collex-view-{name[:20]}", daemon=True).start()
            return done

    def start_all(self, later: Sequence[str] = ()) -> None:
        """Start computing every registered view (at the server's start); those named in
        ``later`` (long and seldom asked for: the reconciliation index, the dumps) once the
        others are done, so that they do not hold the first ones back (a soak's VoID
        requests waited past 30 s behind them)."""
        first = [self.start(name) for name in self.computations if name not in later]

        def then() -> None:
            for done in first:
                done.wait()
            for name in later:
                if name in self.computations:
                    self.start(name)

        threading.Thread(target=then, name="collex-views-later", daemon=True).start()

    def refresh(self, name: str) -> None:
        """Start computing ``name`` if its value is missing or of an older generation;
        never waits."""
        with self._lock:
            found = self._values.get(name)
        if found is None or found[0] != self._generation():
            self.start(name)

    def get(self, name: str, compute: Callable[[ReadStore], T] | None = None,
            wait: float | None = None) -> T:
        generation = self._generation()
        with self._lock:
            found = self._values.get(name)
        if found is not None and found[0] == generation:
            return found[1]  # type: ignore[no-any-return]
        done = self.start(name, compute)
        if found is not None:
            return found[1]  # type: ignore[no-any-return]
        if not done.wait(self._wait if wait is None else min(wait, self._wait)):
            raise Busy(f"the {name} view is being computed; retry shortly", retry_after=5)
        with self._lock:
            found = self._values.get(name)
        if found is None:
            raise Busy(f"the {name} view could not be computed; retry shortly", retry_after=5)
        return found[1]  # type: ignore[no-any-return]

    def _compute(self, name: str, compute: Callable[[ReadStore], Any], generation: int,
                 done: threading.Event) -> None:
        background_priority()
        try:
            with self._own() as reader:
                value = compute(reader)
            with self._lock:
                self._values[name] = (generation, value)
            release_memory()
        except CollexError as exc:  # the next request tries again
            log.warning("could not compute the %s view: %s", name, exc)
        except Exception:
            log.exception("could not compute the %s view", name)
        finally:
            with self._lock:
                self._running.pop(name, None)
            done.set()


def view(request: Any, name: str, wait: float | None = None) -> Any:
    """The registered view ``name`` for the store's current data generation (the module);
    ``wait``: at most so many seconds for a first value (else the views' own bound)."""
    views: GenerationViews = request.app.state.views
    return views.get(name, wait=wait)


BACKGROUND_NICE = 10  # the niceness of the server's own whole-store computations


def background_priority() -> None:
    """Lower the CPU priority of the calling thread (Linux schedules threads one by one:
    ``setpriority`` on a thread id), for the server's own work that no client waits on:
    at a start, the views scanning the whole store took both cores beside a heavy query and
    lookups waited past the queue bound (503s in a soak's first 20 s, measured); niced, they
    take what the clients leave. A thread made for this work only (it cannot be raised back
    without privilege)."""
    with contextlib.suppress(OSError, AttributeError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid),
                                                 BACKGROUND_NICE))


def release_memory() -> None:
    """Give the memory a whole-store computation freed back to the system (glibc keeps it
    otherwise: the server's RSS stayed 220 MB higher after its start's views, measured)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)

"""A server on a shared (remote) store follows the writes other processes make.

Each write through a server renews the store's write marker
(``loaders.derived.state.bump_writes``) and each load its data version; :class:`StoreWatcher`
reads both every ``COLLEX_REMOTE_POLL_SECONDS``. When they changed and the change is not this
server's own write, the server's generation moves (cached answers, per-generation views and
dumps are made again) and its search index is rebuilt in the background. SPARQL answers are
the store's own at once; search and pages follow within the poll interval plus the rebuild.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from collex.errors import CollexError

log = logging.getLogger("collex.watcher")


class StoreWatcher:
    def __init__(self, marker: Callable[[], str], on_change: Callable[[], None],
                 interval: float) -> None:
        self._marker = marker
        self._on_change = on_change
        self._interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._seen: str | None = None
        self._own: set[str] = set()  # write markers this server wrote itself

    def own_write(self, written: str) -> None:
        """This server wrote marker ``written``: not a change made elsewhere."""
        with self._lock:
            self._own.add(written)
            if len(self._own) > 1000:
                self._own.clear()
                self._own.add(written)

    def start(self) -> None:
        try:
            self._seen = self._marker()
        except CollexError as exc:
            log.warning("the store's change marker cannot be read yet: %s", exc)
        threading.Thread(target=self._run, name="collex-watcher", daemon=True).start()

    def close(self) -> None:
        self._stop.set()

    def check(self) -> bool:
        """Read the marker once; True when a change made elsewhere was found (and followed)."""
        now = self._marker()
        with self._lock:
            before, self._seen = self._seen, now
            if before is None or now == before:
                return False
            version_before, _, _ = before.partition("|")
            version_now, _, writes_now = now.partition("|")
            if version_now == version_before and writes_now in self._own:
                return False  # our own write, already followed
        self._on_change()
        return True

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.check()
            except CollexError as exc:  # the store is away: try again at the next tick
                log.warning("the store's change marker could not be read: %s", exc)
            except Exception:
                log.exception("the store watcher failed once; it goes on")

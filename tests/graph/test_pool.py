"""The query pool's snapshots under writes: no read fails because a write deleted the
snapshot it was opening or reading, and each read sees one write's state whole."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from graph.embedded import open_write
from graph.pool import QueryPool

EX = "http://ex.org/"


def test_reads_never_fail_while_writes_replace_snapshots(tmp_path: Path) -> None:
    """A write every 10 ms for 4 s, four workers answering readers all the while: every
    read succeeds and sees a whole write (the two triples of one write always together)."""
    store = open_write(tmp_path / "store")
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}v> 0 . <{EX}b> <{EX}v> 0 }} }}")
    pool = QueryPool(tmp_path / "store", workers=4, timeout=30, snapshot=store.backup)
    stop = time.monotonic() + 4
    errors: list[str] = []
    answers: list[int] = []
    writes = 0

    def write() -> None:
        nonlocal writes
        while time.monotonic() < stop:
            writes += 1
            store.update(f"DELETE {{ GRAPH <{EX}g> {{ ?s <{EX}v> ?o }} }} INSERT {{ GRAPH <{EX}g>"
                         f" {{ ?s <{EX}v> {writes} }} }} WHERE {{ GRAPH <{EX}g> {{ ?s <{EX}v>"
                         " ?o } }")
            pool.data_changed()
            time.sleep(0.01)

    def read() -> None:
        while time.monotonic() < stop:
            try:
                rows = pool.call("select", f"SELECT ?o WHERE {{ ?s <{EX}v> ?o }}")
                values = {int(r["o"].value) for r in rows}
                if len(rows) != 2 or len(values) != 1:
                    errors.append(f"mixed state: {rows}")
                answers.append(values.pop())
            except Exception as exc:  # every failure is the finding
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read)
                                                  for _ in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        pool.close()
    assert errors == [], errors[:5]
    assert writes > 50 and len(answers) > 200 and max(answers) > writes // 2

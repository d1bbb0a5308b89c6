"""Loads killed in the middle leave nothing behind: no spool file, no part of a streamed
write (issue #12: 600 MB of spool files per 40 kills; a streamed load now commits in parts)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import COLLEX, SAMPLE
from tests.loaders.ead.test_streaming import _big_notice


def _env(store: Path) -> dict[str, str]:
    env = {**os.environ, "COLLEX_STORE_DIR": str(store)}
    env.pop("COLLEX_BASE_IRI", None)
    return env


def _graphs(store: Path) -> int:
    out = subprocess.run([str(COLLEX), "stats", "--json"], env=_env(store), check=True,
                         capture_output=True, text=True)
    return len(json.loads(out.stdout)["graphs"])


def _kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool],
               timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, "the load ended before the moment to kill it"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_a_streamed_load_killed_after_some_parts_is_rolled_back(tmp_path: Path) -> None:
    store = tmp_path / "store"
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=_env(store), check=True,
                   capture_output=True)
    before = _graphs(store)
    big = tmp_path / "big.xml"
    _big_notice(big, 60_000)  # about 700,000 quads: several parts of 250,000
    journal = store.with_name("store.journal")
    proc = subprocess.Popen([str(COLLEX), "load", "--no-derive", str(big)], env=_env(store),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def a_part_committed() -> bool:
        try:
            return "rollback" in json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False

    _kill_when(proc, a_part_committed)
    assert list(tmp_path.glob("collex-spool-*")), "the killed load left its spool"
    assert _graphs(store) == before  # the next opening rolled the parts back
    assert not journal.exists()
    assert not list(tmp_path.glob("collex-spool-*"))  # and removed the dead load's spool
    assert not list(tmp_path.glob("collex-stream-*"))


def test_the_spool_of_a_killed_load_goes_with_the_next_writer(tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = subprocess.Popen([str(COLLEX), "load", "--no-derive", str(SAMPLE)], env=_env(store),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _kill_when(proc, lambda: bool(list(tmp_path.glob("collex-spool-*"))))
    left = list(tmp_path.glob("collex-spool-*"))
    assert left
    done = subprocess.run([str(COLLEX), "load", str(SAMPLE / "idref")], env=_env(store),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not any(p.exists() for p in left)

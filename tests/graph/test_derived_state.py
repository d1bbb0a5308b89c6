"""Derived state matches the data whatever happens: SIGKILLs at random moments of a load,
restore of another dump."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.embedded import open_read
from graph.search import SqliteSearchIndex, index_path
from tests.conftest import COLLEX, ROOT, SAMPLE

WORDS = ["correspondance", "paris", "registres", "dossier", "photographies", "bordeaux"]
NOTICE = """<ead><eadheader><eadid>EXTRA-1</eadid></eadheader><archdesc level="fonds"><did>
<unitid>X 1</unitid><unittitle>Fonds ajouté après la sauvegarde</unittitle>
<repository><corpname>Archives</corpname></repository></did></archdesc></ead>"""


def _env(store: Path) -> dict[str, str]:
    return {**os.environ, "COLLEX_STORE_DIR": str(store)}


def _state(store: Path) -> tuple[int, frozenset[tuple[str, str, str]], dict[str, tuple[str, ...]]]:
    """Collections, related pairs with their scores, and search answers, as a reader sees them
    once the store is opened again (`collex stats` first: any command rebuilds what is stale)."""
    out = subprocess.run([str(COLLEX), "stats"], env=_env(store), capture_output=True,
                         text=True, timeout=600, check=False)
    if out.returncode == 2 and "no store" in out.stderr:
        return 0, frozenset(), {}
    assert out.returncode == 0, out.stderr
    reader = open_read(store)
    n = int(reader.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a"  # type: ignore[union-attr]
                          " <http://purl.org/dc/dcmitype/Collection> }")[0]["n"].value)
    pairs = frozenset((str(r["a"].value), str(r["b"].value),  # type: ignore[union-attr]
                       str(r["s"].value)) for r in reader.select(  # type: ignore[union-attr]
        "SELECT ?a ?b ?s WHERE { ?r <https://w3id.org/collex/def#relates> ?a, ?b ;"
        " <https://w3id.org/collex/def#score> ?s FILTER(STR(?a) < STR(?b)) }"))
    del reader
    index = SqliteSearchIndex(index_path(store))
    answers = {w: tuple(str(i["id"]) for i in index.search(w, {}, limit=1000).items)
               for w in WORDS} if index.exists() else {w: () for w in WORDS}
    everything = index.search("", {}, limit=100_000).items if index.exists() else []
    answers["*"] = tuple(str(i["id"]) for i in everything)
    return n, pairs, answers


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated S corpus (COLLEX_KILL_SCALE=S), or by default a slice of it: its first
    150 notices, the IdRef records and the lists (a load of about 10 s)."""
    tmp = tmp_path_factory.mktemp("kill")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", "S",
                    "--out", str(tmp / "S")], check=True, capture_output=True)
    if os.environ.get("COLLEX_KILL_SCALE") == "S":
        return tmp / "S"
    part = tmp / "slice"
    (part / "ead").mkdir(parents=True)
    for notice in sorted((tmp / "S" / "ead").rglob("*.xml"))[:150]:
        shutil.copy(notice, part / "ead" / notice.name)
    shutil.copytree(tmp / "S" / "idref", part / "idref")
    shutil.copytree(tmp / "S" / "lists", part / "lists")
    return part


@pytest.mark.slow
def test_sigkills_at_random_moments_leave_derived_state_matching_the_data(
        corpus: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    started = time.perf_counter()
    subprocess.run([str(COLLEX), "load", str(corpus)], env=_env(reference),
                   capture_output=True, check=False, timeout=1800)
    duration = time.perf_counter() - started
    full = _state(reference)
    assert full[0] > 100 and full[1] and full[2]["*"]
    empty = (0, frozenset(), {w: () for w in [*WORDS, "*"]})
    rng = random.Random(2026)
    kills = int(os.environ.get("COLLEX_KILLS", "20"))
    outcomes = []
    for n in range(kills):
        store = tmp_path / f"s{n}"
        proc = subprocess.Popen([str(COLLEX), "load", str(corpus)], env=_env(store),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        at = rng.uniform(0.05, duration * 1.05)
        time.sleep(at)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        got = _state(store)
        assert got in (full, empty), f"kill {n} at {at:.1f} s of {duration:.1f} s"
        outcomes.append("new" if got == full else "old")
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(Path(str(index_path(store))), ignore_errors=True)
    assert "new" in outcomes and "old" in outcomes, outcomes  # both sides of the write hit


def test_restore_of_a_smaller_dump_shows_exactly_the_restored_data(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = _env(store)
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=env, check=True, capture_output=True)
    dump = tmp_path / "sample.nq"
    subprocess.run([str(COLLEX), "dump", str(dump)], env=env, check=True, capture_output=True)
    extra = tmp_path / "extra.xml"
    extra.write_text(NOTICE, encoding="utf-8")
    subprocess.run([str(COLLEX), "load", str(extra)], env=env, check=True, capture_output=True)
    index = SqliteSearchIndex(index_path(store))
    assert index.search("ajouté", {}).total == 1
    out = subprocess.run([str(COLLEX), "restore", str(dump)], env=env, capture_output=True,
                         text=True, check=True)
    assert "search index" in out.stderr
    assert index.search("ajouté", {}).total == 0
    assert index.search("", {}, limit=100).total == 21

"""The embedded store: atomic replacement (also under SIGKILL), dump/restore, backup, stats."""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from collex.errors import InvalidInput, QueryRejected, StoreUnavailable
from graph.base import QueryAnswer, QueryRequest
from graph.embedded import BulkStream, EmbeddedStore, _sibling, open_read, open_write
from graph.spool import QuadSpool
from tests.conftest import COLLEX

EX = "http://ex.org/"


def _spool(graphs: dict[str, int], value: str = "v") -> QuadSpool:
    spool = QuadSpool()
    for g, n in graphs.items():
        spool.add_graph(EX + g, [(URIRef(f"{EX}s{i}"), URIRef(EX + "p"),
                                  Literal(f"{value} {i}\nligne \"2\"", lang="fr"))
                                 for i in range(n)])
    return spool


def _dump_lines(store_dir: Path, out: Path) -> list[str]:
    reader = open_read(store_dir)
    reader.dump(out)
    return sorted(out.read_text(encoding="utf-8").splitlines())


def test_replace_graphs_replaces_only_named_graphs(tmp_path: Path) -> None:
    store = open_write(tmp_path / "s")
    with _spool({"a": 3, "b": 2}) as spool:
        store.replace_graphs(spool)
    with _spool({"a": 1}, value="new") as spool:
        store.replace_graphs(spool)
    assert store.stats().triples_per_graph == {EX + "a": 1, EX + "b": 2}
    rows = store.select(f"SELECT ?o WHERE {{ GRAPH <{EX}a> {{ ?s ?p ?o }} }}")
    assert [r["o"].value for r in rows] == ['new 0\nligne "2"']  # type: ignore[union-attr]


def test_only_one_writer(tmp_path: Path) -> None:
    store = open_write(tmp_path / "s")  # kept open by this process
    proc = subprocess.run([sys.executable, "-c", f"from graph.embedded import open_write; "
                           f"open_write(__import__('pathlib').Path('{tmp_path / 's'}'))"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "StoreUnavailable" in proc.stderr
    assert "is another collex process" in proc.stderr
    assert store.stats().triples == 0


def test_dump_restore_roundtrip_and_bad_dump_leaves_store(tmp_path: Path) -> None:
    store = open_write(tmp_path / "s")
    with _spool({"a": 5, "b": 4}) as spool:
        store.replace_graphs(spool)
    dump = tmp_path / "d.nq"
    assert store.dump(dump) == 9
    with _spool({"c": 7}) as spool:
        store.replace_graphs(spool)
    assert store.restore(dump) == 9
    assert store.stats().triples_per_graph == {EX + "a": 5, EX + "b": 4}
    trig = tmp_path / "d.trig"
    store.dump(trig)
    bad = tmp_path / "bad.nq"
    bad.write_text("<http://ex.org/s> <http://ex.org/p> broken .\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not a valid dump"):
        store.restore(bad)
    assert store.stats().triples == 9
    assert store.restore(trig) == 9
    with pytest.raises(InvalidInput):
        store.restore(tmp_path / "dump.json")


def test_interrupted_restore_is_rolled_back_on_open(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    store = open_write(directory)
    with _spool({"a": 2}) as spool:
        store.replace_graphs(spool)
    del store
    # Simulate a kill between the two renames of a restore.
    directory.rename(_sibling(directory, "previous"))
    _sibling(directory, "restore").mkdir()
    store = open_write(directory)
    assert store.stats().triples == 2
    assert not _sibling(directory, "restore").exists()


def test_backup_is_a_consistent_store(tmp_path: Path) -> None:
    store = open_write(tmp_path / "s")
    with _spool({"a": 3}) as spool:
        store.replace_graphs(spool)
    store.backup(tmp_path / "bk")
    assert open_read(tmp_path / "bk").stats().triples == 3
    with pytest.raises(InvalidInput):
        store.backup(tmp_path / "bk")


def test_query_formats_and_errors(tmp_path: Path) -> None:
    store = open_write(tmp_path / "s")
    with _spool({"a": 2}) as spool:
        store.replace_graphs(spool)
    def run(q: str, fmt: str | None = "json", gfmt: str | None = "ntriples") -> QueryAnswer:
        return store.run(QueryRequest(q, solutions_format=fmt, graph_format=gfmt))

    assert run("SELECT * WHERE { ?s ?p ?o }").media_type == "application/sparql-results+json"
    assert run("ASK { ?s ?p ?o }", "xml").body.startswith(b"<?xml")
    assert b"ex.org/s0" in run("CONSTRUCT WHERE { ?s ?p ?o }").body
    with pytest.raises(QueryRejected, match="is a graph"):
        run("CONSTRUCT WHERE { ?s ?p ?o }", gfmt=None)
    with pytest.raises(QueryRejected, match="syntax"):
        run("SELEKT")
    capped = store.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }", solutions_format="json",
                                    row_cap=1))
    assert capped.truncated and len(json.loads(capped.body)["results"]["bindings"]) == 1


def test_open_read_without_store_says_what_to_do(tmp_path: Path) -> None:
    from collex.errors import NotFound

    with pytest.raises(NotFound, match="collex load"):
        open_read(tmp_path / "nothing")


def _corpus(folder: Path, n: int, title: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    desc = " ".join(["Description longue du contenu du fonds."] * 20)
    for i in range(n):
        subjects = "".join(f"<subject>Sujet {i}-{k}</subject>" for k in range(25))
        (folder / f"n{i:05d}.xml").write_text(
            f'<ead><eadheader><eadid>k{i}</eadid></eadheader><archdesc level="fonds"><did>'
            f"<unitid>MS {i}</unitid><unittitle>{title} {i}</unittitle>"
            f'<unitdate normal="1900/1950">1900-1950</unitdate>'
            f'<repository><corpname authfilenumber="751052116">BEC</corpname></repository>'
            f"</did><scopecontent><p>{desc}</p></scopecontent>"
            f"<controlaccess>{subjects}</controlaccess></archdesc></ead>",
            encoding="utf-8",
        )


def _by_graph(lines: list[str]) -> dict[str, set[str]]:
    """N-Quads lines by graph, load times apart (they differ from one load to the next)."""
    out: dict[str, set[str]] = {}
    for line in lines:
        if "generatedAtTime" in line or not line.strip():
            continue
        graph = line.rstrip()[:-1].rstrip().rsplit(" <", 1)[-1][:-1]
        out.setdefault(graph, set()).add(line)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("path", "delay"), [("bulk", 0.0), ("bulk", 0.15), ("update", 0.0),
                                             ("update", 0.4), ("update", 1.2),
                                             ("convert", None), ("small", 0.0),
                                             ("small", 0.3)])
def test_killed_load_never_leaves_a_graph_half_written(
    tmp_path: Path, path: str, delay: float | None
) -> None:
    """SIGKILL a `collex load` during its write (or before it). A write of at most
    COLLEX_WRITE_BATCH_QUADS quads ("small") leaves the store exactly as it was or as the
    whole load makes it; a larger one killed once its journal holds the spool is completed
    by the next opening (every graph as the load makes it), and killed before, is as it was;
    the next command rebuilds shared entities and derived state from the data: the store is
    then what it says (one home per statement, entity graphs complete)."""
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")}
    _corpus(tmp_path / "before", 30, "Avant")
    subprocess.run([str(COLLEX), "load", str(tmp_path / "before")], env=env, check=True,
                   capture_output=True)
    before = _by_graph(_dump_lines(tmp_path / "store", tmp_path / "before.nq"))
    # "update": the big load replaces graphs that exist; "bulk": only new notices;
    # "small": a reload of the same 30 notices, with new titles (one transaction).
    if path == "small":
        _corpus(tmp_path / "big", 30, "Après")
    else:
        _corpus(tmp_path / "big", 800, "Après")
    if path in ("bulk", "convert"):
        for f in (tmp_path / "big").glob("*.xml"):
            f.write_text(f.read_text(encoding="utf-8").replace("<eadid>k", "<eadid>new"),
                         encoding="utf-8")
    shutil.copytree(tmp_path / "store", tmp_path / "reference")
    ref_env = {**env, "COLLEX_STORE_DIR": str(tmp_path / "reference")}
    subprocess.run([str(COLLEX), "load", str(tmp_path / "big")], env=ref_env, check=True,
                   capture_output=True)
    final = _by_graph(_dump_lines(tmp_path / "reference", tmp_path / "final.nq"))
    proc = subprocess.Popen([str(COLLEX), "load", str(tmp_path / "big")], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    if delay is None:
        time.sleep(1.0)  # still converting
    else:
        for line in proc.stderr:
            if line.startswith("writing"):
                break
        time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the load ended before the kill: enlarge it"
    pending = _sibling(tmp_path / "store", "journal.nq").exists()
    after = _by_graph(_dump_lines(tmp_path / "store", tmp_path / "after.nq"))
    notices = [g for g in set(before) | set(final) if "/graph/ead/" in g]
    for g in notices:  # never half written; a journaled write is completed on opening
        assert after.get(g) == final.get(g) if pending else after.get(g) in (
            before.get(g), final.get(g)), g
    if path in ("small", "convert"):  # all-or-nothing (derived state apart: rebuilt next)
        def data(graphs: dict[str, set[str]]) -> dict[str, set[str]]:
            return {g: q for g, q in graphs.items() if "/graph/derived/" not in g}
        assert data(after) in (data(before), data(final))
    # The next command makes the store whole again; it still works for writing.
    subprocess.run([str(COLLEX), "stats"], env=env, check=True, capture_output=True)
    store = open_write(tmp_path / "store")
    assert int(store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        " GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1) } }")[0]["n"].value) == 0  # type: ignore[union-attr]
    from loaders.entities import EntityLedger

    rebuilt = EntityLedger("http://127.0.0.1:8000/").rebuild_all(store)
    stored = _by_graph(_dump_lines(tmp_path / "store", tmp_path / "whole.nq"))
    for graph, content in rebuilt:
        assert len(stored.get(graph, set())) == len(content), graph
    with _spool({"z": 1}) as spool:
        store.replace_graphs(spool)


def test_write_error_is_reported_and_changes_nothing(tmp_path: Path) -> None:
    store = open_write(tmp_path / "s")
    with _spool({"a": 2}) as spool:
        store.replace_graphs(spool)
    spool = QuadSpool()
    spool.add_graph(EX + "a", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("x"))])
    spool.close()
    with spool.path.open("a", encoding="utf-8") as f:
        f.write("<not an iri> <x> <y> .\n")
    spool.graphs[EX + "b"] = 0
    with pytest.raises(StoreUnavailable, match="nothing was changed"):
        store.replace_graphs(spool)
    spool.discard()
    assert store.stats().triples_per_graph == {EX + "a": 2}


def test_streamed_load_writes_what_the_spool_path_writes(tmp_path: Path) -> None:
    plain = open_write(tmp_path / "plain")
    with _spool({"a": 300, "b": 5}) as spool:
        plain.replace_graphs(spool)
    streamed = open_write(tmp_path / "streamed")
    spool = _streaming(streamed)
    for g, n in {"a": 300, "b": 5}.items():
        spool.add_graph(EX + g, [(URIRef(f"{EX}s{i}"), URIRef(EX + "p"),
                                  Literal(f"v {i}\nligne \"2\"", lang="fr")) for i in range(n)])
    assert spool.stream is not None and spool.stream.live
    streamed.replace_graphs(spool)
    spool.discard()
    assert streamed.stats().triples_per_graph == plain.stats().triples_per_graph == {
        EX + "a": 300, EX + "b": 5}
    del plain, streamed
    assert _dump_lines(tmp_path / "plain", tmp_path / "p.nq") == _dump_lines(
        tmp_path / "streamed", tmp_path / "s.nq")


def _store_with(directory: Path, graphs: dict[str, int]) -> EmbeddedStore:
    store = open_write(directory)
    with _spool(graphs) as spool:
        store.replace_graphs(spool)
    return store


def _streaming(store: EmbeddedStore) -> QuadSpool:
    spool = QuadSpool()
    store.stream_into(spool)
    return spool


def test_stream_takes_new_graphs_and_the_spool_replaces_existing_ones(tmp_path: Path) -> None:
    store = _store_with(tmp_path / "s", {"b": 4})
    spool = _streaming(store)
    spool.add_graph(EX + "a", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("x"))])
    assert spool.stream is not None and spool.stream.live
    spool.add_graph(EX + "b", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("new"))])
    assert isinstance(spool.stream, BulkStream) and spool.stream.streamed == {EX + "a"}
    store.replace_graphs(spool)  # small: one transaction (the stream is given up)
    spool.discard()
    assert store.stats().triples_per_graph == {EX + "a": 1, EX + "b": 1}


def test_aborted_or_failed_stream_commits_nothing(tmp_path: Path) -> None:
    store = _store_with(tmp_path / "s", {"keep": 2})
    spool = _streaming(store)
    spool.add_graph(EX + "a", [(URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal("x"))
                               for i in range(1000)])
    spool.discard()  # the load gave up (an error, Ctrl-C): the stream is aborted
    assert store.stats().triples_per_graph == {EX + "keep": 2}
    # The loader itself fails (a line that is not N-Quads): commit reports, nothing lands.
    spool = _streaming(store)
    spool.add_graph(EX + "b", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("y"))])
    assert spool.stream is not None
    spool.stream.write(["<not an iri> oops\n"])
    with pytest.raises(StoreUnavailable, match="nothing was changed"):
        store.replace_graphs(spool)
    spool.discard()
    assert store.stats().triples_per_graph == {EX + "keep": 2}


def test_load_without_named_pipes_goes_through_the_spool(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fifo(path: object) -> None:
        raise OSError(95, "Operation not supported")

    monkeypatch.setattr(os, "mkfifo", no_fifo)
    store = open_write(tmp_path / "s")
    spool = QuadSpool(tmp_path)
    store.stream_into(spool)
    assert spool.stream is None
    spool.add_graph(EX + "a", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("x"))])
    store.replace_graphs(spool)
    spool.discard()
    assert store.stats().triples_per_graph == {EX + "a": 1}
    assert not list(tmp_path.glob("**/collex-stream-*"))


def _failing_load(store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process stops writing after the old graphs were cleared (as a kill would)."""
    def stop(path: Path, skip: set[str]) -> None:
        raise OSError("killed here")
    monkeypatch.setattr(store, "_load_lines", stop)


def test_a_write_stopped_half_way_is_completed_by_the_next_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replacement larger than the batch clears graphs, then bulk-loads them: stopped in
    between, the journal's payload (the spool, kept beside the store) lets the next opening
    finish it, before anything reads. No graph stays empty or half written."""
    directory = tmp_path / "s"
    store = open_write(directory, batch_quads=10)
    with _spool({"a": 30, "b": 25, "c": 3}) as spool:
        store.replace_graphs(spool)
    _failing_load(store, monkeypatch)
    spool = _spool({"a": 12, "b": 0, "d": 5}, value="new")  # b removed, d new
    with pytest.raises(StoreUnavailable, match="completes it from the journal"):
        store.replace_graphs(spool)
    spool.discard()  # the pipeline's cleanup must not take the payload away
    assert store.stats().triples_per_graph.get(EX + "a") is None  # cleared, not loaded
    assert _sibling(directory, "journal.nq").exists()
    monkeypatch.undo()
    del store
    gc.collect()  # the lock goes with the last reference
    reader = open_read(directory)  # a reader first completes the write
    assert reader.stats().triples_per_graph == {EX + "a": 12, EX + "c": 3, EX + "d": 5}
    assert reader.ask(f'ASK {{ GRAPH <{EX}a> {{ ?s ?p "new 11\\nligne \\"2\\""@fr }} }}')
    assert not _sibling(directory, "journal.nq").exists()
    # The journal stays (without payload) until the derived state is rebuilt from the data.
    assert json.loads(_sibling(directory, "journal").read_text())["graphs"] == 3


def test_a_payload_without_its_journal_is_discarded(tmp_path: Path) -> None:
    """Killed after keeping the spool but before the journal named it: nothing was cleared
    yet, so the store is as it was and the orphan payload is deleted."""
    directory = tmp_path / "s"
    store = _store_with(directory, {"a": 2})
    del store
    _sibling(directory, "journal.nq").write_text("<http://x/s> <http://x/p> <http://x/o> .\n")
    store = open_write(directory)
    assert store.stats().triples_per_graph == {EX + "a": 2}
    assert not _sibling(directory, "journal.nq").exists()

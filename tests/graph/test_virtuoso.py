"""Virtuoso as the remote store: what its answers and limits need (graph.remote), its
set-up (graph.virtuoso), and a load killed half way through its Graph Store Protocol."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from collex.errors import InvalidInput, QueryTimeout, StoreUnavailable
from collex.settings import Settings
from graph import open_store_write
from graph.base import QueryRequest
from graph.remote import RemoteStore
from graph.virtuoso import ISQL, VIRTUOSO, Server, main
from tests.conftest import COLLEX, SAMPLE, free_port, remote_store

EX = "http://ex.org/"


@pytest.fixture
def virtuoso_settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "journal" / "store", query_timeout=30)


def _settings(server: Server, base: Settings) -> Settings:
    return base.model_copy(update={
        "store": "remote", "remote_query_url": server.query_url,
        "remote_update_url": server.update_url, "remote_graph_store_url": server.graph_store_url,
        "remote_auth": "digest", "remote_user": server.user, "remote_password": server.password})


def _insert(store: RemoteStore, n: int) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ "
                 + " ".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(n)) + " } }")


def test_its_answers_are_read_as_the_protocol_says(
        virtuoso_server: object, virtuoso_settings: Settings, tmp_path: Path) -> None:
    server = virtuoso_server()  # type: ignore[operator]
    store = open_store_write(_settings(server, virtuoso_settings))
    assert isinstance(store, RemoteStore) and store.virtuoso
    _insert(store, 3)
    assert store.ask(f"ASK {{ <{EX}s1> ?p 1 }}") is True  # its __ASK_RETVAL table, 1
    assert store.ask(f"ASK {{ <{EX}s1> ?p 2 }}") is False  # no row
    ask = store.run(QueryRequest("ASK { ?s ?p ?o }", solutions_format="json"))
    assert ask.kind == "ask" and b'"boolean":true' in ask.body
    graph = store.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="ntriples"))
    assert graph.kind == "graph" and graph.body.count(b"\n") == 3  # not a result table
    # non-ASCII text and blank nodes through the Graph Store Protocol
    from rdflib import BNode, Literal, URIRef

    from graph.spool import QuadSpool

    b = BNode()
    with QuadSpool() as spool:
        spool.add_graph(EX + "h", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("été 中 😀")),
                                   (URIRef(EX + "s"), URIRef(EX + "q"), b),
                                   (b, URIRef(EX + "p"), Literal("x"))])
        store.replace_graphs(spool)
    rows = store.select(f"SELECT ?o WHERE {{ GRAPH <{EX}h> {{ <{EX}s> <{EX}p> ?o }} }}")
    assert [r["o"].value for r in rows] == ["été 中 😀"]
    assert store.ask(f'ASK {{ <{EX}s> <{EX}q> ?b . ?b <{EX}p> "x" }}')
    store.update("DROP ALL")  # ours only: Virtuoso's own graphs stay, and it answers on
    assert store.named_graphs() == []
    assert store.ask("ASK { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }"
                     ) is False  # hidden from /sparql, not gone:
    assert _its_own_quads(server) > 1000


def test_cut_answers_and_its_own_deadline_are_refused(
        tmp_path: Path, virtuoso_settings: Settings) -> None:
    if not _installed():
        pytest.skip("virtuoso-t is not installed")
    with Server(tmp_path / "v", free_port(), free_port(), max_rows=5, timeout_s=1) as server:
        store = open_store_write(_settings(server, virtuoso_settings))
        assert isinstance(store, RemoteStore)
        _insert(store, 20)
        with pytest.raises(StoreUnavailable, match="cut its answer at 5 rows"):
            store.select("SELECT ?s WHERE { ?s ?p ?o }")
        with pytest.raises(StoreUnavailable, match="cut its answer at 5 rows"):
            store.run(QueryRequest("SELECT ?s WHERE { ?s ?p ?o }", solutions_format="json"))
        capped = store.run(QueryRequest("SELECT ?s WHERE { ?s ?p ?o }", solutions_format="json",
                                        row_cap=3))  # our own cap is shorter: cut by us
        assert capped.truncated
        assert len(store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 4")) == 4
        with pytest.raises(QueryTimeout, match="its own deadline"):
            store.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i ."
                         " ?j ?k ?l . ?m ?n1 ?o }")


def test_a_virtuoso_showing_its_own_graphs_is_refused(
        tmp_path: Path, virtuoso_settings: Settings) -> None:
    if not _installed():
        pytest.skip("virtuoso-t is not installed")
    with Server(tmp_path / "v", free_port(), free_port(), setup=False) as server:
        with pytest.raises(InvalidInput, match="Virtuoso's own graphs"):
            open_store_write(_settings(server, virtuoso_settings))
        done = subprocess.run([str(COLLEX), "load", str(SAMPLE)], capture_output=True,
                              text=True, env={**os.environ, **server.env(),
                                              "COLLEX_STORE_DIR": str(tmp_path / "s")})
        assert done.returncode == 2 and "Virtuoso's own graphs" in done.stderr
        assert "Traceback" not in done.stderr


def test_init_writes_a_configuration_that_runs(tmp_path: Path) -> None:
    """`python -m graph.virtuoso init` (README): the files it writes start a Virtuoso whose
    /sparql shows none of its own graphs once setup.sql has run."""
    if not _installed():
        pytest.skip("virtuoso-t is not installed")
    sql, http = free_port(), free_port()
    assert main(["init", str(tmp_path / "v"), "--memory-gb", "1", "--sql-port", str(sql),
                 "--http-port", str(http)]) == 0
    ini = (tmp_path / "v" / "virtuoso.ini").read_text()
    assert "NumberOfBuffers = 86507" in ini and "MaxQueryExecutionTime = 60" in ini
    (tmp_path / "v" / "www").mkdir()
    proc = subprocess.Popen([VIRTUOSO, "-f", "-c", str(tmp_path / "v" / "virtuoso.ini")],
                            cwd=tmp_path / "v", stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{http}/sparql"
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        for _ in range(300):
            try:
                before = requests.post(url, data={"query": count},
                                       headers={"Accept": "text/csv"}, timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        assert int(before.text.split()[-1]) > 1000  # its own graphs, before the set-up
        done = subprocess.run([ISQL, str(sql), "dba", "dba", str(tmp_path / "v" / "setup.sql")],
                              capture_output=True, text=True, timeout=120)
        assert "*** Error" not in done.stdout, done.stdout
        after = requests.post(url, data={"query": count}, headers={"Accept": "text/csv"},
                              timeout=30)
        assert int(after.text.split()[-1]) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def test_a_load_killed_half_way_is_completed_by_the_next_writer(tmp_path: Path) -> None:
    """Written graph by graph, a load killed after some of its graphs is completed from its
    journal by the next command that opens the store for writing: the same statistics as a
    load that ran to its end."""
    with remote_store("virtuoso", tmp_path) as env:
        env = {**os.environ, **env, "COLLEX_STORE_DIR": str(tmp_path / "j" / "store"),
               "COLLEX_WRITE_BATCH_QUADS": "100"}
        journal = tmp_path / "j" / "store.journal"
        proc = subprocess.Popen([str(COLLEX), "load", "--no-derive", str(SAMPLE)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not journal.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.001)
        # killed as its first graphs go (146 graphs, about 0.5 s of requests)
        proc.send_signal(signal.SIGKILL)
        assert journal.exists(), "the load ended before its journal was seen"
        proc.wait(timeout=30)
        assert journal.exists()
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        half = int(requests.post(env["COLLEX_REMOTE_QUERY_URL"], data={"query": count},
                                 headers={"Accept": "text/csv"}, timeout=30).text.split()[-1])
        done = subprocess.run([str(COLLEX), "derive"], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert not journal.exists()
        completed = subprocess.run([str(COLLEX), "stats", "--json"], env=env,
                                   capture_output=True, text=True, check=True).stdout
        again = subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=env,
                               capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        whole = subprocess.run([str(COLLEX), "stats", "--json"], env=env, capture_output=True,
                               text=True, check=True).stdout
    assert half < json.loads(whole)["triples"]
    def per_class(text: str) -> dict[str, int]:
        return dict(json.loads(text)["classes"])

    assert per_class(completed) == per_class(whole)


def _its_own_quads(server: Server) -> int:
    """The quads of Virtuoso's quad-map graph, as dba sees them (hidden from /sparql)."""
    auth = requests.auth.HTTPDigestAuth(server.user, server.password)
    answer = requests.post(server.update_url, auth=auth, timeout=30, headers={
        "Accept": "text/csv"}, data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH"
                                    " <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }"})
    return int(answer.text.split()[-1])


def _installed() -> bool:
    import shutil

    if shutil.which(VIRTUOSO) is None:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is missing in CI")
        return False
    return True


@pytest.mark.parametrize("kind", ["remote", "virtuoso"])
def test_the_sample_loads_into_virtuoso_as_into_the_embedded_store(tmp_path: Path,
                                                                   kind: str) -> None:
    """`collex load data/sample` then `collex stats`: the same triples, graphs and distinct
    resources per class on `oxigraph serve` and Virtuoso as on the embedded store; and the
    derived graph of related collections (computed by queries on each engine) the very
    same triples."""
    related = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://127.0.0.1:8000/graph/derived/"
               "related> { ?s ?p ?o FILTER(?p != collex:derivedFrom) } }")  # each load's own

    def stats(env: dict[str, str]) -> tuple[dict[str, object], set[str]]:
        full = {**os.environ, **env, "COLLEX_BASE_IRI": "http://127.0.0.1:8000/"}
        subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=full, check=True,
                       capture_output=True)
        triples = subprocess.run([str(COLLEX), "query", "--format", "ntriples", related],
                                 env=full, check=True, capture_output=True, text=True).stdout
        return dict(json.loads(subprocess.run([str(COLLEX), "stats", "--json"], env=full,
                                              check=True, capture_output=True,
                                              text=True).stdout)), set(triples.splitlines())

    embedded, embedded_related = stats({"COLLEX_STORE_DIR": str(tmp_path / "embedded")})
    with remote_store(kind, tmp_path) as env:
        other, other_related = stats({**env, "COLLEX_STORE_DIR": str(tmp_path / "v" / "store")})
    assert other["classes"] == embedded["classes"]
    assert other["triples"] == embedded["triples"]
    assert other["graphs"] == embedded["graphs"]
    assert len(embedded_related) > 20 and other_related == embedded_related


def test_virtuoso_behind_a_proxy_is_still_known(
        virtuoso_server: object, virtuoso_settings: Settings) -> None:
    """Behind a reverse proxy that answers with its own Server header, Virtuoso is told by
    its form of an ASK answer: DROP ALL still drops only our graphs."""
    import http.server
    import threading

    server = virtuoso_server()  # type: ignore[operator]

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() in ("content-type", "accept", "authorization")}
            r = requests.post(server.url + self.path, data=body, headers=headers, timeout=30)
            self.send_response(r.status_code)
            self.send_header("Content-Type", r.headers.get("Content-Type", "text/plain"))
            if "WWW-Authenticate" in r.headers:
                self.send_header("WWW-Authenticate", r.headers["WWW-Authenticate"])
            self.send_header("Content-Length", str(len(r.content)))
            self.end_headers()
            self.wfile.write(r.content)

        def version_string(self) -> str:
            return "nginx"  # the proxy's Server header, not Virtuoso's

        def log_message(self, *args: object) -> None:
            pass

    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        settings = _settings(server, virtuoso_settings).model_copy(update={
            "remote_query_url": url + "/sparql", "remote_update_url": url + "/sparql-auth"})
        store = open_store_write(settings)
        assert isinstance(store, RemoteStore)
        _insert(store, 2)
        assert store.engine == "nginx" and store.virtuoso
        store.update("DROP ALL")
        assert store.named_graphs() == []
        assert _its_own_quads(server) > 1000
    finally:
        proxy.shutdown()


def test_a_dump_bulk_loaded_into_virtuoso_is_the_embedded_store(tmp_path: Path) -> None:
    """README, "Running at national scale": a first load made into the embedded store,
    `collex dump` to N-Quads, Virtuoso's bulk loader (`ld_dir`, `rdf_loader_run`) on the
    dump: the same `collex stats` as the embedded store, and the data version carried over
    (a `collex serve` on it needs no load of its own)."""
    if not _installed():
        pytest.skip("virtuoso-t is not installed")
    embedded = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "embedded")}
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=embedded, check=True,
                   capture_output=True)
    (tmp_path / "dumps").mkdir()
    subprocess.run([str(COLLEX), "dump", str(tmp_path / "dumps" / "collex.nq")], env=embedded,
                   check=True, capture_output=True)
    with Server(tmp_path / "v", free_port(), free_port(),
                dirs_allowed=(tmp_path / "dumps",)) as server:
        server.bulk_load(tmp_path / "dumps")
        remote = {**os.environ, **server.env(), "COLLEX_STORE_DIR": str(tmp_path / "v" / "s")}
        stats = [json.loads(subprocess.run([str(COLLEX), "stats", "--json"], env=e, check=True,
                                           capture_output=True, text=True).stdout)
                 for e in (embedded, remote)]
        assert stats[1] == stats[0]
        (tmp_path / "dumps" / "broken.nq").write_text("<a> <b> .\n")
        with pytest.raises(RuntimeError, match=r"broken\.nq"):
            server.bulk_load(tmp_path / "dumps")


def test_the_national_scale_section_says_what_the_code_does() -> None:
    """README, "Running at national scale": its buffer table is what `init` writes for those
    memories, and its bulk-load statements are those the tests run (`bulk_load_sql`)."""
    import re

    from graph.virtuoso import bulk_load_sql, ini

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running at national scale", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (\d+) \| (\d+) \| (\S+) \| (\d+) \|$", section, re.M)
    assert len(rows) == 3
    for memory, buffers, dirty, query_mem, remap in rows:
        text = ini(Path("/srv/virtuoso"), 1111, 8890, float(memory))
        for key, value in (("NumberOfBuffers", buffers), ("MaxDirtyBuffers", dirty),
                           ("MaxQueryMem", query_mem), ("MaxCheckpointRemap", remap)):
            assert f"\n{key} = {value}\n" in text, (memory, key)
    statements = bulk_load_sql(Path("/srv/dumps")).strip().splitlines()
    block = section.split("```sql", 1)[1].split("```", 1)[0]
    assert [line.strip() for line in block.strip().splitlines()] == statements
    defaults = ini(Path("/srv/virtuoso"), 1111, 8890, 48)
    assert "ResultSetMaxRows = 1000000" in defaults and "(1,000,000;" in section

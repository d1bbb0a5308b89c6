"""One test module, three backends: the embedded store, a real `oxigraph serve` and a real
Virtuoso (Debian's package), each started by the tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from collex.errors import QueryRejected, QueryTimeout
from collex.settings import Settings
from graph import WriteStore, open_store_write
from graph.base import QueryRequest
from graph.spool import QuadSpool
from loaders.pipeline import Pipeline
from tests.conftest import SAMPLE

EX = "http://ex.org/"


@pytest.fixture(params=["embedded", "remote", "remote-graph-store", "virtuoso"])
def settings_for(request: pytest.FixtureRequest, tmp_path: Path,
                 oxigraph_server: Callable[[], str]) -> Settings:
    if request.param.startswith("remote"):  # `oxigraph serve`, written by update or by GSP
        url = oxigraph_server()
        gsp = url + "/store" if request.param == "remote-graph-store" else None
        return Settings(store="remote", remote_query_url=url + "/query",
                        remote_update_url=url + "/update", remote_graph_store_url=gsp,
                        query_timeout=2, store_dir=tmp_path / "journal" / "store")
    if request.param == "virtuoso":
        v = request.getfixturevalue("virtuoso_server")()
        return Settings(store="remote", remote_query_url=v.query_url,
                        remote_update_url=v.update_url, remote_graph_store_url=v.graph_store_url,
                        remote_auth="digest", remote_user=v.user, remote_password=v.password,
                        query_timeout=2, store_dir=tmp_path / "journal" / "store")
    return Settings(store_dir=tmp_path / "store", query_timeout=2)


@pytest.fixture
def store(settings_for: Settings) -> WriteStore:
    return open_store_write(settings_for)


def _spool(graphs: dict[str, int], value: str = "v") -> QuadSpool:
    spool = QuadSpool()
    for g, n in graphs.items():
        spool.add_graph(EX + g, [(URIRef(f"{EX}s{i}"), URIRef(EX + "p"),
                                  Literal(f"{value} {g} {i}"))
                                 for i in range(n)])
    return spool


def test_replace_graphs_and_stats(store: WriteStore) -> None:
    with _spool({"a": 3, "b": 2}) as spool:
        store.replace_graphs(spool)
    with _spool({"a": 1}, "new") as spool:
        store.replace_graphs(spool)
    assert store.stats().triples_per_graph == {EX + "a": 1, EX + "b": 2}
    assert store.named_graphs() == [EX + "a", EX + "b"]
    assert store.ask('ASK { ?s ?p "new a 0" }')  # union default graph


def test_run_formats_row_cap_and_dataset(store: WriteStore) -> None:
    with _spool({"a": 5, "b": 4}) as spool:
        store.replace_graphs(spool)
    ans = store.run(QueryRequest("SELECT ?o WHERE { ?s ?p ?o }", solutions_format="json",
                                 row_cap=3))
    assert ans.truncated and len(json.loads(ans.body)["results"]["bindings"]) == 3
    only_b = store.run(QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                    default_graphs=(EX + "b",), solutions_format="csv"))
    assert only_b.body.split() == [b"n", b"4"]
    graph = store.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="ntriples"))
    assert graph.kind == "graph" and graph.body.count(b"\n") == 9
    ask = store.run(QueryRequest("ASK { ?s ?p ?o }", solutions_format="xml"))
    assert b"true" in ask.body


def test_update_and_syntax_errors(store: WriteStore) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{EX}u> {{ <{EX}s> <{EX}p> <rel> }} }}",
                 base_iri="http://base.example/")
    assert store.ask(f"ASK {{ <{EX}s> <{EX}p> <http://base.example/rel> }}")
    with pytest.raises(QueryRejected):
        store.run(QueryRequest("SELECT ?x WHERE { ?x"))
    with pytest.raises(QueryRejected):
        store.update("INSERT NONSENSE")
    store.drop_graphs([EX + "u"])
    assert store.named_graphs() == []


def test_pipeline_loads_the_sample_and_dump_restore(store: WriteStore, settings_for: Settings,
                                                     tmp_path: Path) -> None:
    report = Pipeline(settings_for).run([SAMPLE], store)
    assert report.exit_code == 0 and report.written
    rows = store.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a "
                        "<http://purl.org/dc/dcmitype/Collection> }")
    assert rows[0]["n"].value == "21"  # type: ignore[union-attr]
    before = store.stats()
    again = Pipeline(settings_for).run([SAMPLE], store)
    assert again.exit_code == 0 and store.stats().triples == before.triples
    dump = tmp_path / "d.nq"
    assert store.dump(dump) == before.triples
    store.update("DROP ALL")  # ours: on Virtuoso, not its own graphs (it works on after)
    assert store.named_graphs() == []
    assert store.restore(dump) == before.triples
    assert store.stats().triples_per_graph == before.triples_per_graph


def test_remote_deadline(oxigraph_server: Callable[[], str], tmp_path: Path) -> None:
    """The remote deadline is the HTTP timeout (the embedded one is the server's query pool,
    tested in tests/api/test_sparql_endpoint.py)."""
    url = oxigraph_server()
    store = open_store_write(Settings(store="remote", remote_query_url=url + "/query",
                                      remote_update_url=url + "/update", query_timeout=2))
    with _spool({"a": 60}) as spool:
        store.replace_graphs(spool)
    with pytest.raises(QueryTimeout, match="deadline"):
        store.run(QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                               "?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o2 }", solutions_format="json"))

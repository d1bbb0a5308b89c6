"""Paths from a bound end evaluated first (graph.anchored_paths): the answers are those of
the query as written, on every shape it rewrites and on those it must leave alone."""

from __future__ import annotations

import random
from collections import Counter

import pyoxigraph as ox
import pytest

import graph.anchored_paths as anchored_paths
from graph.anchored_paths import anchor, candidates
from graph.base import QueryRequest
from graph.results import execute, run_query

EX = "http://ex/"
P = "PREFIX e: <http://ex/> "


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """A subject hierarchy told both ways (broader and narrower), collections on subjects,
    two named graphs, a blank node in the hierarchy, a literal end, the default graph."""
    rnd = random.Random(7)
    st = ox.Store()
    n = lambda local: ox.NamedNode(EX + local)  # noqa: E731
    g1, g2 = n("g1"), n("g2")
    for i in range(1, 60):
        parent = f"s{rnd.randrange(0, i)}"
        if rnd.random() < 0.5:
            st.add(ox.Quad(n(f"s{i}"), n("broader"), n(parent), g1 if i % 3 else g2))
        else:
            st.add(ox.Quad(n(parent), n("narrower"), n(f"s{i}"), g1))
    for c in range(150):
        for s in rnd.sample(range(60), 2):
            st.add(ox.Quad(n(f"c{c}"), n("subject"), n(f"s{s}"), g1))
        st.add(ox.Quad(n(f"c{c}"), n("title"), ox.Literal(f"Fonds {c}"), g2))
    bnode = ox.BlankNode("b1")
    st.add(ox.Quad(bnode, n("broader"), n("t0"), g1))  # a hierarchy of its own
    st.add(ox.Quad(n("c998"), n("subject"), n("t0"), g1))
    st.add(ox.Quad(n("c999"), n("subject"), bnode, g1))
    st.add(ox.Quad(n("s7"), n("label"), ox.Literal("sept", language="fr"), g1))
    st.add(ox.Quad(n("x"), n("next"), ox.Literal("v"), ox.DefaultGraph()))
    return st


QUERIES = [
    # the bench's shape, and its variants
    "SELECT ?c ?t WHERE { ?s (e:broader|^e:narrower)* e:s0 . ?c e:subject ?s ; e:title ?t }",
    "SELECT ?c WHERE { ?s (e:broader|^e:narrower)* e:s3 . ?c e:subject ?s }",
    "SELECT ?c ?s WHERE { ?c e:subject ?s . ?s (e:broader|^e:narrower)+ e:s1 }",
    "SELECT ?c WHERE { e:s2 (^e:broader|e:narrower)* ?s . ?c e:subject ?s }",
    "SELECT * WHERE { ?c e:subject ?s . ?s (e:broader|^e:narrower)* e:t0 }",  # a blank node
    "SELECT ?c WHERE { ?s (e:broader|^e:narrower)* e:nowhere . ?c e:subject ?s }",
    "SELECT ?c WHERE { ?s (e:broader|^e:narrower)* <http://ex/s4> . ?c e:subject ?s . }",
    "SELECT ?c ?l WHERE { ?s e:broader* e:s0 ; e:label ?l . ?c e:subject ?s }",
    "SELECT ?c ?t WHERE { ?s (e:broader|^e:narrower)* e:s0 . ?c e:subject ?s "
    "OPTIONAL { ?c e:title ?t } FILTER(?c != e:c3) }",
    "SELECT ?c WHERE { ?c e:subject ?s MINUS { ?c e:subject e:s9 } "
    "?s (e:broader|^e:narrower)* e:s0 }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s (e:broader|^e:narrower)* e:s0 . ?c e:subject ?s }",
    "SELECT ?c FROM <http://ex/g1> WHERE { ?s (e:broader|^e:narrower)* e:s0 . "
    "?c e:subject ?s }",  # g2's broader links are not in this dataset
    "SELECT ?c FROM NAMED <http://ex/g2> WHERE { ?s (e:broader|^e:narrower)* e:s0 . "
    "?c e:subject ?s }",
    "ASK { ?s (e:broader|^e:narrower)* e:s0 . ?c e:subject ?s }",
    "ASK WHERE { ?s (e:broader|^e:narrower)* e:s0 . e:c1 e:subject ?s }",
    "SELECT ?o WHERE { e:x e:next* ?o }",  # a literal end
    "SELECT ?c WHERE { ?s (e:broader|^e:narrower)* e:s0, e:s1 . ?c e:subject ?s }",
    "SELECT ?c WHERE { { ?s (e:broader|^e:narrower)* e:s0 } UNION { ?s e:broader e:s2 } "
    "?c e:subject ?s }",  # nested: not rewritten
    "SELECT ?c WHERE { GRAPH ?g { ?s (e:broader|^e:narrower)* e:s0 } ?c e:subject ?s }",
    "SELECT ?c WHERE { ?s (e:broader|^e:narrower)* e:s0 . ?c e:subject ?s } LIMIT 7",
]


def _answers(store: ox.Store, query: str, anchored: bool, **dataset: object) -> Counter[str]:
    req = QueryRequest(P + query, solutions_format="json", **dataset)  # type: ignore[arg-type]
    result = execute(store, req, anchor_paths=anchored)
    if isinstance(result, ox.QueryBoolean):
        return Counter([str(bool(result))])
    names = [v.value for v in result.variables]
    # blank nodes are named by the engine per answer: compared by their presence only
    return Counter(repr(tuple("_:" if isinstance(s[n], ox.BlankNode) else str(s[n])
                              for n in names)) for s in result)


@pytest.mark.parametrize("query", QUERIES)
def test_same_answers_as_written(store: ox.Store, query: str) -> None:
    if "LIMIT" in query:  # any 7 rows of the whole answer
        whole = _answers(store, query.replace("LIMIT 7", ""), False)
        got = _answers(store, query, True)
        assert sum(got.values()) == min(7, sum(whole.values()))
        assert not got - whole
        return
    assert _answers(store, query, True) == _answers(store, query, False)
    # and with the protocol's dataset instead of the union of all graphs
    for dataset in ({"default_graphs": [EX + "g1"]}, {"union_default": False},
                    {"default_graphs": [EX + "g1", EX + "g2"], "named_graphs": [EX + "g2"]}):
        assert (_answers(store, query, True, **dataset) ==
                _answers(store, query, False, **dataset)), dataset


def test_rewrites_the_shapes_it_should(store: ox.Store) -> None:
    union = {"use_default_graph_as_union": True}
    rewritten = anchor(store, P + QUERIES[0], union)
    assert rewritten is not None
    values = rewritten.split("VALUES ?s {", 1)[1]
    expected = {str(r[0]) for r in store.query(
        P + "SELECT ?s WHERE { ?s (e:broader|^e:narrower)* e:s0 }", **union)}
    assert set(values.rsplit("}", 2)[0].split()) == expected
    # several anchored paths, several VALUES
    two = anchor(store, P + "SELECT * WHERE { ?s e:broader+ e:s0 . ?c e:subject ?s . "
                 "e:s0 ^e:broader* ?z }", union)
    assert two is not None and "VALUES ?s" in two and "VALUES ?z" in two
    for query in QUERIES[4:5] + QUERIES[17:19]:  # a blank node; nested groups
        assert anchor(store, P + query, union) is None, query
    for text in ["CONSTRUCT { ?s a e:T } WHERE { ?s e:broader* e:s0 }",
                 "SELECT * { ?s e:broader* e:s0 }",  # no WHERE keyword: left alone
                 "SELECT * WHERE { ?s ?p* e:s0 }",
                 "SELECT * WHERE { ?s e:broader* ?o }",
                 "SELECT * WHERE { ?s e:broader*e:s0 }",  # glued: the lexer cannot say
                 'SELECT * WHERE { ?s e:broader* "x" }',
                 "SELECT * WHERE { ?s e:broader* e:s0 \\u007D",
                 "SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?s e:broader* e:s0 }"]:
        assert anchor(store, P + text, union) is None, text


def test_too_many_values_run_as_written(store: ox.Store, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    union = {"use_default_graph_as_union": True}
    assert anchor(store, P + QUERIES[0], union) is not None
    monkeypatch.setattr(anchored_paths, "MAX_VALUES", 3)
    assert anchor(store, P + QUERIES[0], union) is None
    assert _answers(store, QUERIES[0], True) == _answers(store, QUERIES[0], False)


def test_a_refused_rewrite_runs_the_query_as_written(store: ox.Store,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("graph.results.anchor", lambda *a, **k: "SELECT nonsense")
    answer = run_query(store, QueryRequest(P + QUERIES[1], solutions_format="csv"),
                       anchor_paths=True)
    assert answer.body.count(b"\r\n") - 1 == sum(_answers(store, QUERIES[1], False).values())


def test_candidates_are_exactly_the_triple() -> None:
    found = candidates(P + "SELECT ?c FROM <http://ex/g1> FROM NAMED e:g2 WHERE "
                       "{ ?c e:title ?t . ?s (e:broader|^e:narrower)* e:s0 ; e:label ?l }")
    assert found is not None
    head, dataset, paths, _ = found
    assert head == P + "SELECT DISTINCT " and dataset == "FROM <http://ex/g1> FROM NAMED e:g2"
    assert paths == [("?s", "?s (e:broader|^e:narrower)* e:s0")]

"""Store statistics computed through SPARQL, shared by every ReadStore implementation."""

from __future__ import annotations

from graph.base import ReadStore, StoreStats


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def named_graphs_from(reader: ReadStore) -> list[str]:
    """IRIs of the non-empty named graphs, sorted."""
    rows = reader.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(_value(r["g"]) for r in rows)


def stats_from(reader: ReadStore) -> StoreStats:
    """Triples per named graph and resources per class, by two SPARQL queries."""
    per_graph = {
        _value(r["g"]): int(_value(r["n"]))
        for r in reader.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    per_class = {
        _value(r["c"]): int(_value(r["n"]))
        for r in reader.select(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    }
    return StoreStats(sum(per_graph.values()), dict(sorted(per_graph.items())), per_class)

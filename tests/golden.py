"""Golden files compared as graphs (rdflib isomorphism), rewritten only with --regen-golden."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from ontology import PREFIXES


def compare_golden(graph: Graph, golden: Path, regen: bool) -> None:
    """Fail with the missing and unexpected triples when ``graph`` differs from ``golden``."""
    if regen:
        readable = Graph()
        for prefix, ns in PREFIXES.items():
            readable.bind(prefix, ns)
        readable += graph
        golden.write_text(readable.serialize(format="turtle"), encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run with --regen-golden and review it"
    expected = Graph().parse(golden, format="turtle")
    if to_isomorphic(graph) != to_isomorphic(expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(graph))
        pytest.fail(
            f"{golden.name} differs from the converter's output\n--- missing:\n"
            + "\n".join(sorted(missing.serialize(format="nt").splitlines())[:30])
            + "\n+++ unexpected:\n"
            + "\n".join(sorted(extra.serialize(format="nt").splitlines())[:30])
        )

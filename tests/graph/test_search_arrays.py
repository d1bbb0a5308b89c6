"""Facets counted, filtered and pages ordered on arrays (graph.search_arrays) give what SQL
over the same index gives: totals, pages in order, and every facet value's count."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from graph.search import FACETS, WEIGHTS, Document, SqliteSearchIndex, fts_query

WORDS = ["fonds", "archives", "manuscrits", "arabes", "cartes", "plans", "école", "médecine",
         "théologie", "notes", "registres", "persan"]


def _documents(n: int, rnd: random.Random) -> list[Document]:
    docs = []
    for i in range(n):
        facets: dict[str, list[tuple[str, str]]] = {
            "institution": [(f"http://x/id/institution/{rnd.randrange(7)}", "Bibliothèque")],
            "subject": [(f"http://x/id/subject/{s}", f"Sujet {s}")
                        for s in sorted(set(rnd.choices(range(40), k=rnd.randint(0, 4))))],
            "century": [(str(c), f"{c}e siècle") for c in range(rnd.randint(14, 20), 21)
                        if rnd.random() < 0.5],
            "collex": [("yes" if rnd.random() < 0.3 else "no", "CollEx")],
        }
        docs.append(Document(
            f"http://x/id/collection/{i:04d}",
            " ".join(rnd.choices(WORDS, k=rnd.randint(1, 4))).capitalize(),
            {"description": " ".join(rnd.choices(WORDS, k=rnd.randint(0, 12)))},
            facets, rnd.choice([None, *range(1500, 2000, 7)]),
            {"holder": "B"}))
    return docs


def _reference(path: Path, text: str, filters: dict[str, list[str]], sort: str,
               offset: int, limit: int) -> tuple[int, list[str], dict[str, dict[str, int]]]:
    """The search as SQL alone did it before the arrays."""
    con = sqlite3.connect(path)
    con.execute("CREATE TEMP TABLE hits (rowid INTEGER PRIMARY KEY, score REAL)")
    match = fts_query(text) if text else None
    if match:
        con.execute("INSERT INTO hits SELECT rowid, bm25(text, " + ", ".join(map(str, WEIGHTS))
                    + ") FROM text WHERE text MATCH ?", (match,))
    else:
        con.execute("INSERT INTO hits SELECT rowid, 0 FROM docs")
    for facet, values in filters.items():
        con.execute("DELETE FROM hits WHERE rowid NOT IN (SELECT rowid FROM facets WHERE"
                    f" facet = ? AND value IN ({','.join('?' * len(values))}))",
                    (facet, *values))
    total = con.execute("SELECT COUNT(*) FROM hits").fetchone()[0]
    order = ("h.score, d.title_key, d.id" if sort == "relevance" and match else
             "d.start IS NULL, d.start, d.title_key, d.id" if sort == "date" else
             "d.title_key, d.id")
    ids = [r[0] for r in con.execute(f"SELECT d.id FROM hits h JOIN docs d ON d.rowid ="
                                     f" h.rowid ORDER BY {order} LIMIT ? OFFSET ?",
                                     (limit, offset))]
    counts: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for facet, value, n in con.execute("SELECT f.facet, f.value, COUNT(*) FROM hits h JOIN"
                                       " facets f ON f.rowid = h.rowid GROUP BY 1, 2"):
        counts[facet][value] = n
    con.close()
    return total, ids, counts


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SqliteSearchIndex:
    path = tmp_path_factory.mktemp("arrays") / "index.sqlite"
    index = SqliteSearchIndex(path)
    index.rebuild(_documents(600, random.Random(3)))
    return index


def _queries(rnd: random.Random, n: int) -> list[tuple[str, dict[str, list[str]], str, int]]:
    out = []
    for _ in range(n):
        text = " ".join(rnd.sample(WORDS, rnd.choice([0, 0, 1, 1, 2])))
        filters: dict[str, list[str]] = {}
        if rnd.random() < 0.5:
            filters["institution"] = [f"http://x/id/institution/{i}"
                                      for i in rnd.sample(range(8), rnd.randint(1, 2))]
        if rnd.random() < 0.3:
            filters["century"] = [str(rnd.randint(14, 21))]
        if rnd.random() < 0.2:
            filters["subject"] = [f"http://x/id/subject/{rnd.randrange(45)}"]
        out.append((text, filters, rnd.choice(["relevance", "title", "date"]),
                    rnd.choice([0, 0, 20, 40])))
    return out


@pytest.mark.parametrize("query", _queries(random.Random(11), 60), ids=str)
def test_arrays_answer_as_sql(index: SqliteSearchIndex,
                              query: tuple[str, dict[str, list[str]], str, int]) -> None:
    text, filters, sort, offset = query
    got = index.search(text, filters, sort=sort, offset=offset, limit=20, facet_limit=1000)
    total, ids, counts = _reference(index.path, text, filters, sort, offset, 20)
    assert got.total == total
    assert [i["id"] for i in got.items] == ids
    assert {f: {v.value: v.count for v in vs} for f, vs in got.facets.items()} == counts


def test_facet_limit_keeps_the_most_frequent_then_the_first_values(
        index: SqliteSearchIndex) -> None:
    full = index.search("", {}, facet_limit=1000).facets["subject"]
    top = index.search("", {}, facet_limit=5).facets["subject"]
    expected = sorted(full, key=lambda v: (-v.count, v.value))[:5]
    assert [(v.value, v.count) for v in top] == [(v.value, v.count) for v in expected]
    assert all(v.label.startswith("Sujet ") for v in top)


def test_an_update_is_counted_by_the_next_search(tmp_path: Path) -> None:
    index = SqliteSearchIndex(tmp_path / "index.sqlite")
    docs = _documents(50, random.Random(5))
    index.rebuild(docs)
    before = {v.value: v.count for v in index.search("", {}).facets["collex"]}
    changed = Document(docs[0].id, "Fonds nouveau", {}, {"collex": [("maybe", "CollEx")]})
    index.update([changed], [docs[0].id])
    after = {v.value: v.count for v in index.search("", {}).facets["collex"]}
    old = docs[0].facets["collex"][0][0]
    assert after["maybe"] == 1 and after.get(old, 0) == before[old] - 1
    assert index.search("nouveau", {"collex": ["maybe"]}).total == 1
    index.update([], [docs[1].id])
    assert index.search("", {}).total == 49  # the first replaced, the second removed


def test_an_export_of_every_hit_comes_whole_and_in_order(tmp_path: Path) -> None:
    """A CSV export asks for every hit at once: read in parts of 10,000 rowids (many SQLite
    builds take at most 32,766 parameters in one statement), put back in order."""
    index = SqliteSearchIndex(tmp_path / "index.sqlite")
    n = 33_000
    index.rebuild(Document(f"http://x/id/collection/{i:05d}", f"Fonds {n - i}", {},
                           {"level": [("fonds", "fonds")]}) for i in range(n))
    got = index.search("", {"level": ["fonds"]}, sort="title", limit=1_000_000)
    assert got.total == n and len(got.items) == n
    assert [i["title"] for i in got.items] == sorted(f"Fonds {k}" for k in range(1, n + 1))


def test_the_search_bench_runs_and_finds_what_it_measures(tmp_path: Path) -> None:
    """`bench/search_latency.py` (README, "Measured"): it serves its index and each query of
    its mixes finds collections (a query finding none would measure nothing)."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "figures.json"
    done = subprocess.run([sys.executable, str(root / "bench" / "search_latency.py"),
                           "--collections", "10000", "--requests", "20", "--json", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["collections"] == 10_000 and figures["arrays_mb"] > 0
    assert figures["postings_words"] > 0 and figures["postings_mb"] > 0
    assert figures["words"]["p95_ms"] > 0 and figures["facets only"]["p95_ms"] > 0
    assert len(figures["totals"]) == 25 and all(n > 0 for n in figures["totals"].values())

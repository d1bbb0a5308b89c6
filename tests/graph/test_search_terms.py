"""Words found and scored on postings in memory (graph.search_terms) give what FTS5 gives:
the same documents and the same bm25() scores, to the last bit, before and after updates."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

import graph.search_terms as search_terms
from graph.search import FIELDS, WEIGHTS, Document, SqliteSearchIndex, fts_query, query_terms
from graph.search_terms import Terms

WORDS = ["fonds", "archives", "manuscrits", "arabes", "archevêché", "archipel", "cartes",
         "plans", "école", "écoles", "médecine", "théologie", "notes", "registres", "persan",
         "1789", "xviiie"]


def _document(i: int, rnd: random.Random) -> Document:
    def text(k: int) -> str:
        return " ".join(rnd.choices(WORDS, k=rnd.randint(0, k)))

    long = rnd.random() < 0.05  # a column of more than 127 tokens: docsize's varints grow
    return Document(f"http://x/id/collection/{i:04d}", text(5).capitalize() or "Fonds",
                    {"description": text(400 if long else 15), "subjects": text(4),
                     "agents": text(3), "places": text(2), "components": text(20)},
                    {"level": [("fonds", "fonds")]})


def _queries(rnd: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = rnd.sample([*WORDS, "absent"], rnd.randint(1, 3))
        if rnd.random() < 0.3:
            words[-1] = words[-1][:rnd.randint(2, 4)] + "*"
        if rnd.random() < 0.1:
            words.append(words[0])  # one word twice: two phrases for FTS5
        out.append(" ".join(words))
    return out


def _fts5(con: sqlite3.Connection, text: str) -> dict[int, float]:
    return dict(con.execute("SELECT rowid, bm25(text, " + ", ".join(map(str, WEIGHTS))
                            + ") FROM text WHERE text MATCH ?", (fts_query(text),)))


def _terms(path: Path, con: sqlite3.Connection) -> Terms:
    con.execute("BEGIN")
    size = con.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM docs").fetchone()[0]
    return Terms.read(con, "test", size, "text", dict(zip(FIELDS, WEIGHTS, strict=True)))


def _same_as_fts5(path: Path, queries: list[str], warm: bool) -> int:
    """Checks every query; returns how many the postings answered (not FTS5)."""
    con = sqlite3.connect(path)
    try:
        terms = _terms(path, con)
        if warm:
            assert terms.warm(con, "text") > 0
        answered = 0
        for text in queries:
            scored = terms.score(con, "text", query_terms(text))
            if scored is None:
                continue
            answered += 1
            hits, score = scored
            expected = _fts5(con, text)
            assert sorted(int(i) for i in hits.nonzero()[0]) == sorted(expected), text
            assert {i: float(score[i]) for i in expected} == expected, text  # bit for bit
        return answered
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("terms") / "index.sqlite"
    rnd = random.Random(17)
    SqliteSearchIndex(path).rebuild(_document(i, rnd) for i in range(500))
    return path


@pytest.mark.parametrize("warm", [True, False], ids=["read ahead", "read at first search"])
def test_postings_score_as_fts5_bm25(built: Path, warm: bool) -> None:
    queries = _queries(random.Random(5), 150)
    assert _same_as_fts5(built, queries, warm) == len(queries)


def test_after_updates_and_deletions_the_scores_still_match(tmp_path: Path) -> None:
    """Deleted rows leave FTS5's totals (rows, tokens) and docsize: the lengths and the
    average length read from the index are those bm25() uses."""
    path = tmp_path / "index.sqlite"
    index = SqliteSearchIndex(path)
    rnd = random.Random(23)
    docs = [_document(i, rnd) for i in range(200)]
    index.rebuild(docs)
    index.update([_document(i, rnd) for i in range(0, 60, 3)],
                 [d.id for d in docs[:60]])  # 20 rewritten, 40 removed
    assert index.search("", {}).total == 160
    assert _same_as_fts5(path, _queries(random.Random(6), 80), warm=False) == 80


def test_fts5_answers_what_postings_do_not_cover(built: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A word FTS5 tokenizes in two (``_`` separates), a prefix opening on more words not yet
    read than ``EXPANSIONS``: the search goes to FTS5, and finds the same."""
    con = sqlite3.connect(built)
    try:
        terms = _terms(built, con)
        assert terms.score(con, "text", query_terms("fonds_archives")) is None
        monkeypatch.setattr(search_terms, "EXPANSIONS", 1)
        assert terms.score(con, "text", query_terms("arch*")) is None  # 3 words open
        assert terms.score(con, "text", query_terms("archiv*")) is not None  # 1 word
    finally:
        con.close()
    index = SqliteSearchIndex(built)
    for text in ("fonds_archives", "arch*", "archives école"):
        got = index.search(text, {}, limit=1000)
        con = sqlite3.connect(built)
        expected = _fts5(con, text)
        con.close()
        assert got.total == len(expected), text


def test_search_reads_postings_of_its_state_only(tmp_path: Path) -> None:
    """An update makes a new state: the next search scores on that state's postings."""
    path = tmp_path / "index.sqlite"
    index = SqliteSearchIndex(path)
    index.rebuild([Document("http://x/id/collection/1", "Fonds persan", {},
                            {"level": [("fonds", "fonds")]})])
    index.warm()
    assert index.search("persan", {}).total == 1
    index.update([Document("http://x/id/collection/2", "Manuscrits persans", {},
                           {"level": [("fonds", "fonds")]})], [])
    assert {i["id"] for i in index.search("persan", {}).items} == {
        "http://x/id/collection/1", "http://x/id/collection/2"}
    index.update([], ["http://x/id/collection/1"])
    assert [i["id"] for i in index.search("persan", {}).items] == ["http://x/id/collection/2"]


def test_warm_reads_the_frequent_words_ahead_in_a_thread_of_its_own(built: Path) -> None:
    """``warm()`` reads arrays and vocabulary; the postings come in the background (the
    first search and the follower of writes do not wait for them), and stop when asked."""
    import time

    index = SqliteSearchIndex(built)
    index.warm()
    terms = search_terms._cache[built]
    for _ in range(200):
        if terms.postings:
            break
        time.sleep(0.05)
    assert terms.postings and terms.is_current(built)
    assert max(terms.df) == len(terms.postings[terms.vocab[int(terms.df.argmax())]][0])
    con = sqlite3.connect(built)
    try:
        fresh = _terms(built, con)
        assert fresh.warm(con, "text", until=lambda: True) == 0 and not fresh.postings
        assert not fresh.is_current(built)  # read apart: not the one the index keeps
    finally:
        con.close()


def test_a_write_commits_while_the_postings_are_read_ahead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The postings read ahead take one read transaction per word: a write (the follower of
    the graph-store writes) commits between two words instead of waiting for the whole
    reading, and the searches that come meanwhile are not held behind its lock (seconds at
    scale: searches answered 500 after SQLite's 5 s, a soak with writes, measured). Each word
    is made to take 0.1 s here; the reading would take 1.7 s."""
    import threading
    import time

    path = tmp_path / "index.sqlite"
    index = SqliteSearchIndex(path)
    rnd = random.Random(29)
    index.rebuild(_document(i, rnd) for i in range(200))
    read = Terms._postings
    started = threading.Event()

    def slow(self: Terms, con: sqlite3.Connection, table: str, word: str) -> object:
        started.set()
        time.sleep(0.1)
        return read(self, con, table, word)

    monkeypatch.setattr(Terms, "_postings", slow)
    index.warm()  # the reading ahead starts in its own thread
    assert started.wait(10)
    began = time.monotonic()
    index.update([Document("http://x/id/collection/new", "Fonds persan nouveau", {},
                           {"level": [("fonds", "fonds")]})], [])
    took = time.monotonic() - began
    assert took < 0.8, took
    assert index.search("nouveau", {}).total == 1

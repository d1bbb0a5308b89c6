"""The search index follows writes made through the server: a notice graph written or
dropped through the Graph Store Protocol changes that collection's documents in place (the
others untouched, facet totals as a full rebuild gives them), and searches meanwhile keep
answering from the last complete state."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from graph.embedded import open_read
from graph.search import SqliteSearchIndex, collect_documents, index_path
from tests.conftest import COLLEX, SAMPLE, ServerFactory

TOKEN = "search-follow-token-0123456789"
BASE = "http://127.0.0.1:8000/"


def _doc_view(doc: object) -> tuple[object, ...]:
    """A document with its lists as sets: the order of labels is the engine's."""
    d = doc.__dict__
    return (d["id"], d["title"], d["start"], sorted(d["summary"].items()),
            {k: set(v.split(" | ")) for k, v in d["text"].items()},
            {k: sorted(v) for k, v in d["facets"].items()}, sorted(d["graphs"]))


def test_the_documents_of_some_collections_are_their_part_of_the_whole(
    tmp_path: Path,
) -> None:
    import subprocess

    env = {"COLLEX_STORE_DIR": str(tmp_path / "store"), "PATH": str(COLLEX.parent)}
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=env, check=True,
                   capture_output=True)
    reader = open_read(tmp_path / "store")
    whole = {d.id: _doc_view(d) for d in collect_documents(reader)}
    some = sorted(whole)[::3]
    part = {d.id: _doc_view(d) for d in collect_documents(reader, only=some)}
    assert len(whole) > 6 and sorted(part) == some
    assert {k: whole[k] for k in some} == part


def _search(base: str, q: str) -> dict[str, object]:
    r = httpx.get(base + "/api/collections", params={"q": q, "limit": 100}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _until(check: object, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("the search index did not follow the write")


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_a_notice_graph_written_then_dropped_is_followed_in_place(
    serve: ServerFactory, tmp_path: Path,
) -> None:
    base = serve({"COLLEX_ADMIN_TOKEN": TOKEN, "COLLEX_BASE_IRI": BASE})
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = _search(base, "")
    path = index_path(tmp_path / "store0")
    inode = path.stat().st_ino  # a full rebuild would rename a new file over it
    graph = f"{BASE}graph/ead/follow-test"
    coll = f"{BASE}id/collection/follow-test"
    turtle = (f"<{coll}> a <http://purl.org/dc/dcmitype/Collection> ;"
              ' <http://purl.org/dc/terms/title> "Fonds Zyxwvut, papiers de voyage" ;'
              ' <http://purl.org/dc/terms/language> <http://id.loc.gov/vocabulary/iso639-2/fre> .')
    r = httpx.put(base + "/rdf-graph-store", params={"graph": graph}, content=turtle,
                  headers={**auth, "Content-Type": "text/turtle"})
    assert r.status_code == 201, r.text
    _until(lambda: _search(base, "zyxwvut")["total"] == 1)
    after = _search(base, "")
    assert after["total"] == before["total"] + 1  # type: ignore[operator]
    index = SqliteSearchIndex(path)
    assert index.ids_in([graph]) == {coll}
    assert path.stat().st_ino == inode  # updated in place
    # facet totals after the in-place update are those a full rebuild computes
    langs = {f["value"]: f["count"] for f in after["facets"]["language"]}  # type: ignore[index]
    was = {f["value"]: f["count"] for f in before["facets"]["language"]}  # type: ignore[index]
    fre = "http://id.loc.gov/vocabulary/iso639-2/fre"
    assert langs[fre] == was.get(fre, 0) + 1
    r = httpx.delete(base + "/rdf-graph-store", params={"graph": graph}, headers=auth)
    assert r.status_code == 204
    _until(lambda: _search(base, "zyxwvut")["total"] == 0)
    assert _search(base, "") == before
    assert path.stat().st_ino == inode

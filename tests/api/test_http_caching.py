"""HTTP done right: HEAD wherever GET is, strong ETags with 304s until the data change, answers
kept in memory until the next write, gzip (issue #15, part 1)."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    COLLEX,
    SAMPLE,
    ServerFactory,
    _wait_http,
    free_port,
    remote_env,
)

TOKEN = "0123456789abcdef-caching-test"
LOOKUP = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"


@pytest.fixture
def server(serve: ServerFactory) -> str:
    return serve({"COLLEX_ADMIN_TOKEN": TOKEN, "COLLEX_RATE_LIMIT": "1000",
                  "COLLEX_RATE_BURST": "1000"})


def _get_routes(base: str) -> list[str]:
    """Every GET path of the OpenAPI, parameters filled with values of the sample."""
    spec = httpx.get(f"{base}/openapi.json").json()
    fill = {"key": "BIS-MS-0003", "ident": "mondes-orientaux", "isil": "FR-751052105",
            "ppn": "027058352", "path": "collection/BIS-MS-0003"}
    out = []
    for path, ops in spec["paths"].items():
        if "get" in ops:
            out.append(re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: fill.get(m.group(1), "x"), path))
    return out


def test_head_answers_wherever_get_does(server: str) -> None:
    routes = _get_routes(server)
    assert len(routes) > 20
    with httpx.Client(base_url=server, timeout=30) as client:
        for path in routes:
            params = {"query": "ASK {}"} if path == "/sparql" else None
            got = client.get(path, params=params)
            head = client.head(path, params=params)
            assert head.status_code == got.status_code, (path, head.status_code)
            assert head.content == b"", path
            assert head.headers.get("content-type") == got.headers.get("content-type"), path


def test_a_repeated_query_is_304_until_the_data_change(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        first = client.get("/sparql", params={"query": LOOKUP},
                           headers={"Accept": "application/sparql-results+json"})
        assert first.status_code == 200
        tag = first.headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', tag)  # strong
        assert first.headers["cache-control"] == "public, max-age=0, must-revalidate"
        assert "Accept" in first.headers["vary"] and first.headers["last-modified"]
        for _ in range(3):
            again = client.get("/sparql", params={"query": LOOKUP},
                               headers={"Accept": "application/sparql-results+json",
                                        "If-None-Match": tag})
            assert again.status_code == 304 and again.content == b""
            assert again.headers["etag"] == tag
        # another form of the same answer is another representation
        xml = client.get("/sparql", params={"query": LOOKUP},
                         headers={"Accept": "application/sparql-results+xml",
                                  "If-None-Match": tag})
        assert xml.status_code == 200 and xml.headers["etag"] != tag
        # a write changes the data: the old tag no longer matches
        update = client.post("/sparql", data={"update": "INSERT DATA { GRAPH"
                                              " <http://example.org/g> { <http://example.org/s>"
                                              " <http://example.org/p> 'o' } }"},
                             headers={"Authorization": f"Bearer {TOKEN}"})
        assert update.status_code in (200, 204), update.text
        after = client.get("/sparql", params={"query": LOOKUP},
                           headers={"Accept": "application/sparql-results+json",
                                    "If-None-Match": tag})
        assert after.status_code == 200 and after.headers["etag"] != tag


def test_a_repeated_answer_comes_from_memory_until_the_next_write(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        headers = {"Accept": "application/sparql-results+json"}
        first = client.get("/sparql", params={"query": LOOKUP}, headers=headers)
        second = client.get("/sparql", params={"query": LOOKUP}, headers=headers)
        assert "x-collex-cache" not in first.headers
        assert second.headers.get("x-collex-cache") == "hit"
        again = client.get("/sparql", params={"query": LOOKUP},
                           headers={**headers, "Cache-Control": "no-cache"})
        assert "x-collex-cache" not in again.headers  # asked to compute it again
        assert second.content == first.content and second.headers["etag"] == first.headers[
            "etag"]
        client.post("/sparql", data={"update": "INSERT DATA { <http://example.org/s2>"
                                     " <http://example.org/p> 'o' }"},
                    headers={"Authorization": f"Bearer {TOKEN}"})
        third = client.get("/sparql", params={"query": LOOKUP}, headers=headers)
        assert "x-collex-cache" not in third.headers


def test_a_sparql_json_answer_over_1kb_is_gzipped(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        answer = client.get("/sparql", params={"query": LOOKUP},
                            headers={"Accept": "application/sparql-results+json",
                                     "Accept-Encoding": "gzip"})
        plain = client.get("/sparql", params={"query": LOOKUP},
                           headers={"Accept": "application/sparql-results+json",
                                    "Accept-Encoding": "identity"})
    assert answer.headers["content-encoding"] == "gzip"
    assert len(plain.content) > 1024 and "content-encoding" not in plain.headers
    assert answer.json() == plain.json()  # httpx decoded it
    assert answer.headers["etag"] != plain.headers["etag"]  # strong: other bytes, other tag
    with httpx.stream("GET", f"{server}/sparql", params={"query": LOOKUP},
                      headers={"Accept": "application/sparql-results+json",
                               "Accept-Encoding": "gzip"}) as raw:
        compressed = b"".join(raw.iter_raw())
    assert len(compressed) < len(plain.content) / 3
    assert gzip.decompress(compressed) == plain.content


def test_authorised_requests_are_not_kept(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        headers = {"Accept": "application/sparql-results+json",
                   "Authorization": f"Bearer {TOKEN}"}
        client.get("/sparql", params={"query": LOOKUP}, headers=headers)
        again = client.get("/sparql", params={"query": LOOKUP}, headers=headers)
    assert "etag" not in again.headers and "x-collex-cache" not in again.headers


def test_a_load_made_by_another_process_on_a_remote_store_changes_the_tags(
        oxigraph_server: Callable[[], str], tmp_path: Path) -> None:
    """The remote store has other writers: the server reads its data version again every
    5 s, so a `collex load` made elsewhere ends the 304s and the answers kept."""
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "unused"),
           "COLLEX_RATE_LIMIT": "1000", "COLLEX_RATE_BURST": "1000",
           **remote_env(oxigraph_server())}
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=env, check=True,
                   capture_output=True)
    port = free_port()
    proc = subprocess.Popen([str(COLLEX), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    headers = {"Accept": "application/sparql-results+json"}
    try:
        _wait_http(base + "/healthz")
        with httpx.Client(base_url=base, timeout=30) as client:
            tag = client.get("/sparql", params={"query": LOOKUP}, headers=headers
                             ).headers["etag"]
            assert client.get("/sparql", params={"query": LOOKUP}, headers={
                **headers, "If-None-Match": tag}).status_code == 304
            notice = tmp_path / "extra.xml"
            notice.write_text(EXTRA, encoding="utf-8")
            done = subprocess.run([str(COLLEX), "load", str(notice)], env=env,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, done.stderr
            deadline = time.monotonic() + 10
            status = 304
            while status == 304 and time.monotonic() < deadline:
                time.sleep(0.5)
                status = client.get("/sparql", params={"query": LOOKUP}, headers={
                    **headers, "If-None-Match": tag}).status_code
    finally:
        proc.terminate()
        proc.wait(10)
    assert status == 200


EXTRA = """<ead><eadheader><eadid>EXTRA-1</eadid></eadheader><archdesc level="fonds"><did>
<unittitle>Fonds ajouté ailleurs</unittitle></did></archdesc></ead>"""

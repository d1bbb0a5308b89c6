"""Downloadable dumps (issue #15, part 7): the whole graph as gzipped N-Quads and the
collections as CSV, made in the background, at stable URLs with size, checksum and date,
described in VoID and in a DCAT catalogue, and remade after a write."""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef

from tests.conftest import COLLEX, SAMPLE, serving

TOKEN = "dumps-test-token-0123456789"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VOID = Namespace("http://rdfs.org/ns/void#")


def _published(base: str, not_state: str | None = None) -> dict[str, object]:
    for _ in range(600):
        listing = httpx.get(base + "/dumps").json()
        if listing["files"] and listing["state"] != not_state:
            return listing  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"no dumps published: {listing}")


def _count(base: str, query: str) -> int:
    rows = httpx.get(base + "/sparql", params={"query": query}, headers={
        "Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    return int(rows[0]["n"]["value"])


def _files(listing: dict[str, object]) -> dict[str, dict[str, object]]:
    return {str(f["name"]): f for f in listing["files"]}  # type: ignore[attr-defined]


def test_dumps_are_whole_described_and_follow_writes(serve: Callable[..., str]) -> None:
    base = serve({"COLLEX_ADMIN_TOKEN": TOKEN, "COLLEX_RATE_LIMIT": "1000",
                  "COLLEX_RATE_BURST": "1000"})
    listing = _published(base)
    files = _files(listing)
    assert set(files) == {"collex.nq.gz", "collections.csv", "collex-datasets.zip"}
    quads = _count(base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    collections = _count(base, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a"
                               " <http://purl.org/dc/dcmitype/Collection> }")
    # the N-Quads: the whole store, as published (size, checksum)
    answer = httpx.get(str(files["collex.nq.gz"]["url"]))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in answer.headers  # served as stored
    assert len(answer.content) == files["collex.nq.gz"]["size"]
    assert hashlib.sha256(answer.content).hexdigest() == files["collex.nq.gz"]["sha256"]
    parsed = list(ox.parse(gzip.decompress(answer.content), format=ox.RdfFormat.N_QUADS))
    assert len(parsed) == quads == listing["quads"]
    # the CSV: one row per collection
    table = httpx.get(str(files["collections.csv"]["url"]))
    assert hashlib.sha256(table.content).hexdigest() == files["collections.csv"]["sha256"]
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8"))))
    assert len(rows) == collections == listing["collections"] == 21
    row = next(r for r in rows if r["key"] == "FR-751052105-0003")
    assert row["title"] == "Archives de la Société des anciens textes français"
    assert row["holder_isil"] == "FR-751052105" and row["collex_label"] == "yes"
    assert row["networks"] == "Philologie romane et études médiévales"
    # the analysis tables, zipped: the same collections, a descriptor naming every file
    tables = httpx.get(str(files["collex-datasets.zip"]["url"]))
    assert tables.headers["content-type"] == "application/zip"
    assert hashlib.sha256(tables.content).hexdigest() == files["collex-datasets.zip"]["sha256"]
    with zipfile.ZipFile(io.BytesIO(tables.content)) as z:
        names = set(z.namelist())
        package = json.loads(z.read("collex-datasets/datapackage.json"))
        assert {f"collex-datasets/{r['path']}" for r in package["resources"]} | {
            "collex-datasets/datapackage.json"} == names
        exported = list(csv.DictReader(io.StringIO(
            z.read("collex-datasets/collections.csv").decode("utf-8"))))
    assert len(exported) == collections
    assert package["version"] == listing["state"]
    # VoID names the dumps, and the DCAT catalogue describes them
    void = Graph().parse(data=httpx.get(base + "/.well-known/void", headers={
        "Accept": "text/turtle"}).text, format="turtle")
    dumps = {str(o) for o in void.objects(None, VOID.dataDump)}
    assert dumps == {str(f["url"]) for f in files.values()}
    catalog = Graph().parse(data=httpx.get(base + "/dumps/catalog", headers={
        "Accept": "text/turtle"}).text, format="turtle")
    for f in files.values():
        dist = next(catalog.subjects(DCAT.downloadURL, URIRef(str(f["url"]))))
        assert catalog.value(dist, DCAT.byteSize) == Literal(
            f["size"], datatype=URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))
        checksum = catalog.value(dist, SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == f["sha256"]
    assert httpx.get(base + "/dumps/other.nq").status_code == 404
    assert httpx.head(str(files["collections.csv"]["url"])).status_code == 200
    part = httpx.get(str(files["collex.nq.gz"]["url"]), headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == answer.content[:10]
    assert answer.headers["digest"] == "sha-256=" + base64.b64encode(
        hashlib.sha256(answer.content).digest()).decode()
    # a write through the server: a new set follows, with the new graph in it
    added = httpx.put(base + "/rdf-graph-store", params={"graph": "http://ex.org/g"},
                      content=b"<http://ex.org/s> <http://ex.org/p> \"dump me\" .",
                      headers={"Content-Type": "application/n-triples",
                               "Authorization": f"Bearer {TOKEN}"})
    assert added.status_code in (201, 204)
    newer = _published(base, not_state=str(listing["state"]))
    assert newer["quads"] == quads + 1
    body = gzip.decompress(httpx.get(str(_files(newer)["collex.nq.gz"]["url"])).content)
    assert b'"dump me"' in body


def test_off_the_server_serves_what_collex_publish_made(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = {**os.environ, "COLLEX_STORE_DIR": str(store)}
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=env, check=True,
                   capture_output=True)
    with serving(store, {"COLLEX_DUMPS": "false"}) as base:
        assert httpx.get(base + "/dumps").json() == {"state": None, "files": []}
        assert httpx.get(base + "/dumps/collex.nq.gz").status_code == 404
        void = httpx.get(base + "/.well-known/void", headers={"Accept": "text/turtle"}).text
        assert "dataDump" not in void
    made = subprocess.run([str(COLLEX), "publish"], env=env, check=True, capture_output=True,
                          text=True)
    assert "collex.nq.gz" in made.stdout and "21 collections" in made.stderr
    pointer = tmp_path / "store.dumps" / "current.json"
    written = pointer.stat().st_mtime_ns
    with serving(store, {"COLLEX_DUMPS": "false"}) as base:
        listing = httpx.get(base + "/dumps").json()
        assert listing["collections"] == 21
        answer = httpx.get(base + "/dumps/collections.csv")
        assert answer.status_code == 200 and answer.text.startswith("iri,key,title")
        assert "dataDump" in httpx.get(base + "/.well-known/void",
                                       headers={"Accept": "text/turtle"}).text
    with serving(store) as base:  # dumps on, nothing new: the same set, not made again
        assert _published(base)["state"] == listing["state"]
        time.sleep(1)
        assert pointer.stat().st_mtime_ns == written


def _ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # ended, maybe not yet reaped by its new parent


def test_the_dump_process_ends_with_its_server(tmp_path: Path) -> None:
    """The server's dump process (``python -m api.dumps ... PARENT``) ends when the server is
    killed mid-dump, and does not start when its server is already gone."""
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import os, subprocess, sys, time\n"
         "child = subprocess.Popen([sys.executable, '-c', 'import sys, time\\n"
         "from api.dumps import die_with\\ndie_with(int(sys.argv[1]))\\n"
         "print(\"ready\", flush=True)\\ntime.sleep(120)', str(os.getpid())])\n"
         "print(child.pid, flush=True)\n"
         "time.sleep(120)\n"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert parent.stdout.readline().strip() == "ready"
    assert not _ended(child)
    parent.kill()
    parent.wait(10)
    for _ in range(100):
        if _ended(child):
            break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        raise AssertionError("the dump process outlived its server")
    # a parent that is not (or no longer) ours: the dump does not start
    late = subprocess.run([sys.executable, "-m", "api.dumps", str(tmp_path / "none"),
                           str(tmp_path / "dumps"), "http://example.org/", "0", "1"],
                          capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parents[2])
    assert late.returncode == 1 and not (tmp_path / "dumps").exists(), late.stderr

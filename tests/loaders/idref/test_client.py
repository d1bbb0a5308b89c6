"""The IdRef client and `collex enrich idref` against recorded responses on 127.0.0.1 (no
internet), and the SPARQL path against a real `oxigraph serve`."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from loaders.idref.client import IdRefClient
from tests.conftest import COLLEX, FIXTURES, OXIGRAPH
from tests.loaders.idref.fixture_server import RecordedServer, Reply

IDREF = FIXTURES / "idref"


def _record(name: str) -> bytes:
    return (IDREF / name).read_bytes()


def _notice(tmp: Path, ppns: list[str]) -> Path:
    """An EAD notice citing these PPNs (layout: Calames, bare PPN in @authfilenumber)."""
    names = "".join(f'<persname authfilenumber="{p}">Nom {p}</persname>' for p in ppns)
    path = tmp / "notice.xml"
    path.write_text(
        '<ead><eadheader><eadid mainagencycode="751052116">cited</eadid></eadheader>'
        '<archdesc level="fonds"><did><unitid>MS 1</unitid><unittitle>Fonds cité</unittitle>'
        '<repository><corpname authfilenumber="751052116">BEC</corpname></repository></did>'
        f"<controlaccess>{names}</controlaccess></archdesc></ead>", encoding="utf-8")
    return path


@pytest.fixture
def recorded() -> Iterator[RecordedServer]:
    routes = {
        "/027058352.xml": [Reply(200, _record("027058352.xml"))],
        "/99000001X.xml": [Reply(503, b"busy"), Reply(200, _record("corporate-99000001X.xml"))],
        "/990000028.xml": [Reply(429, b"slow down", {"Retry-After": "1"}),
                           Reply(200, _record("congress-990000028.xml"))],
        "/990000095.xml": [Reply(301, b"", {"Location": "/990000087.xml"})],
        "/990000087.xml": [Reply(200, _record("merged-990000087.xml"))],
        "/990000060.xml": [Reply(200, _record("place-990000060.xml"), delay=0.5)],
        "/990000036.xml": [Reply(302, b"", {"Location": "http://evil.example/x.xml"})],
    }
    with RecordedServer(routes) as server:
        yield server


def _client(server: RecordedServer, cache: Path, **kw: object) -> IdRefClient:
    return IdRefClient(server.url, cache, allowed_hosts=["127.0.0.1"], **kw)  # type: ignore[arg-type]


def test_client_behaviours(recorded: RecordedServer, tmp_path: Path) -> None:
    client = _client(recorded, tmp_path / "cache", rate=50, timeout=5, retries=3)
    assert client.fetch("027058352").status == "ok"
    retried = client.fetch("99000001X")
    assert retried.status == "ok" and b"anciens textes" in (retried.data or b"")
    t = time.monotonic()
    limited = client.fetch("990000028")
    assert limited.status == "ok" and time.monotonic() - t >= 1.0  # Retry-After
    merged = client.fetch("990000095")
    assert merged.status == "ok" and merged.final_url and merged.final_url.endswith(
        "/990000087.xml")
    assert client.fetch("990000141").status == "unknown"
    assert client.fetch("990000060").status == "ok"  # slow but within the timeout
    refused = client.fetch("990000036")
    assert refused.status == "error" and "allow-list" in refused.message
    assert client.fetch("027058351").status == "invalid"
    before = client.http_requests
    for ppn in ("027058352", "99000001X", "990000028", "990000095", "990000141"):
        assert client.fetch(ppn).from_cache
    assert client.http_requests == before


def test_client_timeout_then_error(recorded: RecordedServer, tmp_path: Path) -> None:
    recorded.routes["/990000060.xml"] = [Reply(200, b"late", delay=2.0)]
    client = _client(recorded, tmp_path / "cache", rate=50, timeout=0.3, retries=1,
                     sleep=lambda s: None)
    result = client.fetch("990000060")
    assert result.status == "error" and "Timeout" in result.message


def test_rate_limit_is_respected(recorded: RecordedServer, tmp_path: Path) -> None:
    recorded.routes = {f"/{p}.xml": [Reply(404)] for p in
                       ("990000141", "99000015X", "990000168", "990000176", "990000184")}
    client = _client(recorded, tmp_path / "cache", rate=4)
    for ppn in ("990000141", "99000015X", "990000168", "990000176", "990000184"):
        client.fetch(ppn)
    times = [t for t, _ in recorded.log]
    assert len(times) == 5
    assert times[-1] - times[0] >= 4 * 0.25 * 0.95


def _env(tmp_path: Path, server: RecordedServer) -> dict[str, str]:
    return {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store"),
            "COLLEX_IDREF_BASE_URL": server.url,
            "COLLEX_IDREF_ALLOWED_HOSTS": '["127.0.0.1"]',
            "COLLEX_IDREF_CACHE_DIR": str(tmp_path / "cache"),
            "COLLEX_IDREF_RATE_LIMIT": "20"}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COLLEX), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_enrich_loads_missing_ppns_then_makes_no_request(recorded: RecordedServer,
                                                         tmp_path: Path) -> None:
    env = _env(tmp_path, recorded)
    notice = _notice(tmp_path, ["027058352", "99000001X", "990000095", "990000141"])
    assert _run(env, "load", str(notice)).returncode == 0
    first = _run(env, "enrich", "idref")
    assert first.returncode == 0, first.stderr
    assert "4 PPN(s) cited and missing; 3 fetched" in first.stderr
    assert "unknown  990000141" in first.stderr
    requests_first = len(recorded.log)
    query = ("SELECT ?label WHERE { ?c a dcmitype:Collection ; dcterms:subject ?e . "
             "?e skos:prefLabel ?label } ORDER BY ?label")
    rows = json.loads(_run(env, "query", query, "--format", "json").stdout)
    labels = [b["label"]["value"] for b in rows["results"]["bindings"]]
    assert labels == ["Paris, Gaston (1839-1903)", "Société des anciens textes français (Paris)"]
    merged = _run(env, "query", "ASK { <http://www.idref.fr/990000095/id> owl:sameAs "
                                 "<http://www.idref.fr/990000087/id> }", "--format", "json")
    assert json.loads(merged.stdout)["boolean"] is True
    again = _run(env, "enrich", "idref")
    assert again.returncode == 0
    assert len(recorded.log) == requests_first  # the cache answers, 404 included
    assert "0 HTTP request(s)" in again.stderr


def test_enrich_reports_errors_with_exit_1(recorded: RecordedServer, tmp_path: Path) -> None:
    env = _env(tmp_path, recorded)
    recorded.routes["/027058352.xml"] = [Reply(503, b"down")]
    env["COLLEX_IDREF_RETRIES"] = "1"
    assert _run(env, "load", str(_notice(tmp_path, ["027058352"]))).returncode == 0
    out = _run(env, "enrich", "idref")
    assert out.returncode == 1 and "ERROR    027058352: IdRef answered 503" in out.stderr
    assert "Traceback" not in out.stderr


def test_enrich_through_a_sparql_endpoint(tmp_path: Path,
                                          oxigraph_server: Callable[[], str]) -> None:
    url = oxigraph_server()
    for name in ("027059952.rdf", "organization-990000133.rdf"):
        r = httpx.post(url + "/store?default", content=(IDREF / name).read_bytes(),
                       headers={"Content-Type": "application/rdf+xml"})
        assert r.status_code in (200, 201, 204), r.text
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store"),
           # the endpoint's host must be allowed (www.idref.fr for the default base URL)
           "COLLEX_IDREF_ALLOWED_HOSTS": '["www.idref.fr", "127.0.0.1"]'}
    assert _run(env, "load", str(_notice(tmp_path, ["027059952", "990000133",
                                                     "990000141"]))).returncode == 0
    out = _run(env, "enrich", "idref", "--sparql", url + "/query")
    assert out.returncode == 0, out.stderr
    assert "3 PPN(s) cited and missing; 2 fetched" in out.stderr
    check = _run(env, "query", "SELECT ?l WHERE { <http://www.idref.fr/027059952/id> "
                               "skos:prefLabel ?l }")
    assert "Pastoureau, Michel (1947-....)" in check.stdout
    assert OXIGRAPH.exists()

"""Harvesting from a real OAI-PMH repository on 127.0.0.1 (oai-repo, tests/harvest/oai_server.py)
serving the real answers of ../shared/samples/francearchives/oai_ead/ and generated records."""

from __future__ import annotations

import gc
import itertools
import json
import os
import random
import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from collex.settings import Settings
from graph.embedded import open_read, open_write
from loaders.harvest.run import Harvester, url_target
from loaders.harvest.state import read_states
from tests.conftest import COLLEX, CliRun
from tests.harvest.oai_server import (
    OaiServer,
    Rec,
    Records,
    generated_ead,
    records_of_answer,
    requests_per_window,
)

DCMI = "<http://purl.org/dc/dcmitype/Collection>"
TITLE = "<http://purl.org/dc/terms/title>"
OAI_ID = "<https://w3id.org/collex/def#oaiIdentifier>"
GENERATED = 230  # with the 3 real notices: 233 records, 3 pages of 80


@pytest.fixture
def oai_ead(shared: Path) -> Path:
    return shared / "samples" / "francearchives" / "oai_ead"


@pytest.fixture
def corpus(oai_ead: Path) -> Callable[[], Records]:
    """The real answers' records (a Mnesys portal and AD Marne) and generated notices."""
    def make() -> Records:
        real = [*records_of_answer(oai_ead / "oai_ead_sample.xml", "2024-01-01T08:00:00Z"),
                *records_of_answer(oai_ead / "FRAD051_12Fi.xml", "2024-01-02T08:00:00Z")]
        made = [Rec(f"oai:essai:{i}", f"2024-02-{1 + i % 28:02d}T10:00:00Z", generated_ead(i))
                for i in range(GENERATED)]
        return Records([*real, *made])
    return make


def _settings(tmp_path: Path, name: str = "store", **kw: object) -> Settings:
    return Settings(store_dir=tmp_path / name, base_iri="http://127.0.0.1:8000/",
                    **kw)  # type: ignore[arg-type]


def _harvest(settings: Settings, server: OaiServer, **kw: object) -> object:
    store = open_write(settings.store_dir)
    try:
        return Harvester(settings, store).harvest(url_target(server.url, "ead", None, "ead"),
                                                  **kw)  # type: ignore[arg-type]
    finally:
        del store
        gc.collect()  # the store's lock goes with its last reference


def _oai_ids(store_dir: Path) -> dict[str, str]:
    store = open_read(store_dir)
    rows = store.select(f"SELECT ?id ?t WHERE {{ GRAPH ?g {{ ?g {OAI_ID} ?id }}"
                        f" ?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?g ; {TITLE} ?t }}")
    del store
    gc.collect()
    return {str(r["id"].value): str(r["t"].value) for r in rows}  # type: ignore[union-attr]


# when each graph was written, and the data version derived graphs were computed for
_VOLATILE = re.compile(r"generatedAtTime|dataVersion|def#derivedFrom|"
                       r"/graph/provenance/harvest/|/graph/derived/state")


def _canonical(store_dir: Path, tmp: Path) -> list[str]:
    """The store's quads, without what depends on when it was written."""
    store = open_read(store_dir)
    out = tmp / f"{store_dir.name}.nq"
    store.dump(out)
    del store
    gc.collect()
    return sorted(line for line in out.read_text(encoding="utf-8").splitlines()
                  if not _VOLATILE.search(line))


def test_a_full_harvest_takes_every_page_and_a_second_one_only_the_changes(
        tmp_path: Path, corpus: Callable[[], Records], oai_ead: Path) -> None:
    records = corpus()
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(records, page_size=80) as server:
        first = _harvest(settings, server)
        assert first.outcome == "complete", first.error  # type: ignore[attr-defined]
        assert server.pages_served() == [1, 2, 3]
        loaded = _oai_ids(settings.store_dir)
        assert len(loaded) == len(records) == GENERATED + 3
        assert "FRAD051_12Fi" in loaded and "86869/a011349628476eWWr7u" in loaded
        run = first.run  # type: ignore[attr-defined]
        assert (run.pages, run.records, run.added, run.rejected) == (3, 233, 233, 0)

        # the producer updates one notice and deletes another (their real answers)
        updated = records_of_answer(oai_ead / "oai_ead_sample_updated.xml")[0]
        assert updated.identifier == "86869/a0114666730443PYpcW"
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 5))
        records.put(Rec(updated.identifier, later, updated.metadata))
        deleted = next(r for r in records_of_answer(oai_ead / "oai_ead_sample_deleted.xml")
                   if r.deleted)
        records.delete(deleted.identifier, later)
        server.log.clear()
        second = _harvest(settings, server)
        assert second.outcome == "complete"  # type: ignore[attr-defined]
        run = second.run  # type: ignore[attr-defined]
        assert (run.records, run.updated, run.deleted, run.added) == (2, 1, 1, 0)
        asked = [h.query for h in server.log if h.query.get("verb") == "ListRecords"]
        state = read_states(open_read(settings.store_dir), settings.base_iri)[0]
        assert asked[0]["from"] == state.last.from_ == first.run.next_from  # type: ignore
    now = _oai_ids(settings.store_dir)
    assert deleted.identifier not in now and len(now) == len(loaded) - 1
    assert updated.identifier in now


def test_a_harvest_killed_between_pages_resumes_to_the_same_store(
        tmp_path: Path, corpus: Callable[[], Records], cli: CliRun) -> None:
    # each page written on its own (COLLEX_HARVEST_BATCH=1): the checkpoint of page 2 is in
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "killed"),
           "COLLEX_HARVEST_RATE": "50", "COLLEX_HARVEST_BATCH": "1"}
    env.pop("COLLEX_BASE_IRI", None)
    with OaiServer(corpus(), page_size=80) as server:
        server.hold_pages = {3}
        proc = subprocess.Popen([str(COLLEX), "harvest", server.url, "--metadata-prefix",
                                 "ead"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        assert server.holding.wait(120), "page 3 never asked"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        server.hold_pages = set()
        server.release()
        state = read_states(open_read(tmp_path / "killed"), "http://127.0.0.1:8000/")[0]
        assert state.current is not None and state.current.pages == 2
        assert len(_oai_ids(tmp_path / "killed")) == 160  # two pages of 80
        server.log.clear()
        resumed = subprocess.run([str(COLLEX), "harvest", server.url, "--metadata-prefix",
                                  "ead"], env=env, capture_output=True, text=True,
                                 timeout=300, check=False)
        assert resumed.returncode == 0, resumed.stderr
        assert "resuming after page 2" in resumed.stderr
        assert server.pages_served() == [3]  # no page asked twice, none skipped
        whole = cli("harvest", server.url, "--metadata-prefix", "ead",
                    extra_env={"COLLEX_STORE_DIR": str(tmp_path / "whole"),
                               "COLLEX_HARVEST_RATE": "50"})
        assert whole.returncode == 0, whole.stderr
    assert _canonical(tmp_path / "killed", tmp_path) == _canonical(tmp_path / "whole", tmp_path)


def test_a_harvest_killed_at_any_moment_ends_with_the_same_store(
        tmp_path: Path, corpus: Callable[[], Records], cli: CliRun) -> None:
    """SIGKILL at random moments (while a page is read, converted, written...), then
    resumed, until a run completes: the store is the uninterrupted harvest's."""
    # 24 pages at 4 requests a second, written 3 pages at a time: a whole run lasts about
    # 6 s; each is killed at a random moment (waiting for an answer, converting pages,
    # writing them) until one ends, at most 12 times: then one run is left to end (on a busy
    # machine the start of the command alone can take the 2 s)
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "killed"),
           "COLLEX_HARVEST_RATE": "4", "COLLEX_HARVEST_BATCH": "25"}
    env.pop("COLLEX_BASE_IRI", None)
    rng = random.Random(20261130)
    kills = 0
    with OaiServer(corpus(), page_size=10) as server:
        for attempt in range(13):
            proc = subprocess.Popen([str(COLLEX), "harvest", server.url, "--metadata-prefix",
                                     "ead", "--no-derive"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                proc.wait(timeout=rng.uniform(0.6, 2.0) if attempt < 12 else 300)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(30)
                kills += 1
                continue
            assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
            break
        else:
            pytest.fail("the harvest never completed")
        final = cli("derive", extra_env={"COLLEX_STORE_DIR": str(tmp_path / "killed")})
        assert final.returncode == 0, final.stderr
        whole = cli("harvest", server.url, "--metadata-prefix", "ead",
                    extra_env={"COLLEX_STORE_DIR": str(tmp_path / "whole"),
                               "COLLEX_HARVEST_RATE": "50"})
        assert whole.returncode == 0, whole.stderr
    assert kills >= 3, kills
    assert _canonical(tmp_path / "killed", tmp_path) == _canonical(tmp_path / "whole", tmp_path)


def test_503_with_retry_after_is_waited_for(tmp_path: Path,
                                            corpus: Callable[[], Records]) -> None:
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(corpus(), page_size=80) as server:
        server.unavailable, server.retry_after = 2, "2"
        result = _harvest(settings, server)
        assert result.outcome == "complete", result.error  # type: ignore[attr-defined]
        first = server.log[:3]
    assert [h.status for h in first] == [503, 503, 200]
    assert first[1].at - first[0].at >= 1.95 and first[2].at - first[1].at >= 1.95
    assert len(_oai_ids(settings.store_dir)) == GENERATED + 3


def test_malformed_xml_on_page_2_keeps_page_1_and_the_next_run_resumes_at_page_2(
        tmp_path: Path, corpus: Callable[[], Records], cli: CliRun) -> None:
    env = {"COLLEX_HARVEST_RATE": "50"}
    with OaiServer(corpus(), page_size=80) as server:
        server.malformed_pages = {2}
        failed = cli("harvest", server.url, "--metadata-prefix", "ead", extra_env=env)
        assert failed.returncode == 2
        assert re.search(r"ERROR .*page 2: the answer is not usable XML \(malformed XML",
                         failed.stderr), failed.stderr
        assert "Traceback" not in failed.stderr
        assert len(_oai_ids(tmp_path / "store")) == 80  # page 1 stays loaded
        status = cli("harvest", "--status")
        assert "last: failed" in status.stdout and "page 2" in status.stdout
        assert "running: running" in status.stdout and "1 page(s)" in status.stdout
        server.log.clear()
        again = cli("harvest", server.url, "--metadata-prefix", "ead", extra_env=env)
        assert again.returncode == 0, again.stderr
        assert server.pages_served() == [2, 3]
    assert len(_oai_ids(tmp_path / "store")) == GENERATED + 3


def test_the_harvest_never_goes_faster_than_the_rate_limit(
        tmp_path: Path, corpus: Callable[[], Records]) -> None:
    rate = 4.0
    settings = _settings(tmp_path, harvest_rate=rate)
    with OaiServer(corpus(), page_size=20) as server:  # 12 pages and Identify: 13 requests
        result = _harvest(settings, server)
        assert result.outcome == "complete"  # type: ignore[attr-defined]
        hits = list(server.log)
    assert len(hits) == 13
    # any one second holds at most `rate` arrivals (20 ms allowed for loopback jitter)
    assert max(requests_per_window(hits, 1.0 - 0.02)) <= rate
    gaps = [b.at - a.at for a, b in itertools.pairwise(hits)]
    assert min(gaps) >= 0.9 / rate


def test_a_token_the_repository_no_longer_knows_restarts_the_list_without_loss(
        tmp_path: Path, corpus: Callable[[], Records]) -> None:
    records = corpus()
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(records, page_size=80) as server:
        server.hold_pages = {2}
        import threading

        done: list[object] = []
        worker = threading.Thread(target=lambda: done.append(_harvest(settings, server)))
        worker.start()
        assert server.holding.wait(60)
        # the data change while page 2 is asked: oai-repo's tokens carry the data's state
        records.put(Rec("oai:essai:new", "2024-03-01T00:00:00Z", generated_ead(9999)))
        server.hold_pages = set()
        server.release()
        worker.join(120)
    result = done[0]
    assert result.outcome == "complete", result.error  # type: ignore[attr-defined]
    assert server.pages_served()[:3] == [1, 2, 1]  # the list asked again from its start
    assert len(_oai_ids(settings.store_dir)) == GENERATED + 4


def test_a_record_changed_during_the_harvest_and_met_twice_ends_in_its_last_version(
        tmp_path: Path, corpus: Callable[[], Records]) -> None:
    records = corpus()
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(records, page_size=80, stable_tokens=True) as server:
        server.hold_pages = {2}
        import threading

        done: list[object] = []
        worker = threading.Thread(target=lambda: done.append(_harvest(settings, server)))
        worker.start()
        assert server.holding.wait(60)
        # a notice of page 1 is edited: its new datestamp puts it on the last page
        records.put(Rec("oai:essai:0", "2025-01-01T00:00:00Z", generated_ead(0, "Nouveau")))
        server.hold_pages = set()
        server.release()
        worker.join(120)
    result = done[0]
    assert result.outcome == "complete" and not result.rejected  # type: ignore[attr-defined]
    assert server.pages_served() == [1, 2, 3]
    assert _oai_ids(settings.store_dir)["oai:essai:0"] == "Nouveau"
    assert result.run.records == GENERATED + 4  # type: ignore[attr-defined]


def test_rejected_records_are_named_by_oai_identifier_and_page(
        tmp_path: Path, cli: CliRun, corpus: Callable[[], Records]) -> None:
    records = corpus()
    records.put(Rec("oai:essai:mods", "2030-01-01T00:00:00Z",
                    b'<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo/></mods>'))
    records.put(Rec("oai:essai:untitled", "2030-01-02T00:00:00Z",
                    b"<ead><eadheader><eadid>NOTITLE</eadid></eadheader><archdesc"
                    b' level="fonds"><did><unitid>X</unitid></did></archdesc></ead>'))
    with OaiServer(records, page_size=80) as server:
        run = cli("harvest", server.url, "--metadata-prefix", "ead", "--json",
                  extra_env={"COLLEX_HARVEST_RATE": "50"})
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)["sources"][0]
    assert report["rejected_count"] == 2 and report["added"] == GENERATED + 3
    rejected = {r["record"]: r for r in report["rejected"]}
    assert set(rejected) == {"oai:essai:mods", "oai:essai:untitled"}
    assert rejected["oai:essai:mods"]["file"].endswith(" page 3")
    assert "not a format this loader reads" in rejected["oai:essai:mods"]["message"]
    assert not any("one page of a longer list" in w["message"] for w in report["warnings"])
    assert "REJECTED url-127-0-0-1-oai-ead-" in run.stderr


def test_a_set_is_harvested_alone(tmp_path: Path) -> None:
    records = Records(Rec(f"oai:essai:{i}", "2024-01-01T00:00:00Z", generated_ead(i),
                          sets=("manuscrits" if i % 3 == 0 else "imprimes",))
                      for i in range(30))
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(records, page_size=4) as server:
        store = open_write(settings.store_dir)
        result = Harvester(settings, store).harvest(
            url_target(server.url, "ead", "manuscrits", "ead"))
        del store
        gc.collect()
        asked = [h.query for h in server.log if h.query.get("verb") == "ListRecords"]
    assert result.outcome == "complete" and result.run.added == 10
    assert result.run.pages == 3 and asked[0]["set"] == "manuscrits"
    assert sorted(_oai_ids(settings.store_dir)) == sorted(f"oai:essai:{i}"
                                                           for i in range(0, 30, 3))


def test_a_repository_that_does_not_answer_in_time_is_given_up_and_resumed(
        tmp_path: Path, corpus: Callable[[], Records]) -> None:
    settings = _settings(tmp_path, harvest_rate=50, harvest_timeout=1.0, harvest_retries=1,
                         harvest_batch=1)
    with OaiServer(corpus(), page_size=80) as server:
        server.hold_pages = {2}  # held 120 s unless released
        result = _harvest(settings, server)
        assert result.outcome == "failed"  # type: ignore[attr-defined]
        assert re.search(r"page 2: no answer after 2 tries \(ReadTimeout",
                         result.error), result.error  # type: ignore[attr-defined]
        server.hold_pages = set()
        server.release()
        again = _harvest(settings, server)
    assert again.outcome == "complete" and again.resumed  # type: ignore[attr-defined]
    assert len(_oai_ids(settings.store_dir)) == GENERATED + 3


def test_an_answer_declaring_entities_is_refused_like_a_file(
        tmp_path: Path, corpus: Callable[[], Records]) -> None:
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(corpus(), page_size=80) as server:
        server.bodies[1] = (b'<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY x SYSTEM'
                            b' "file:///etc/passwd">]><OAI-PMH xmlns="http://www.openarchives'
                            b'.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate>'
                            b"<ListRecords><record><header><identifier>x</identifier>"
                            b"<datestamp>2024-01-01</datestamp></header><metadata><ead>&x;"
                            b"</ead></metadata></record></ListRecords></OAI-PMH>")
        result = _harvest(settings, server)
    assert result.outcome == "failed"  # type: ignore[attr-defined]
    assert "declares entities" in result.error  # type: ignore[attr-defined]
    assert _oai_ids(settings.store_dir) == {}


def test_until_bounds_the_harvest_and_the_next_one_starts_there(
        tmp_path: Path, corpus: Callable[[], Records]) -> None:
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(corpus(), page_size=80) as server:
        first = _harvest(settings, server, until="2024-02-10T23:59:59Z")
        # the 3 real notices (January) and the generated ones of February 1-10
        expected = 3 + sum(1 for i in range(GENERATED) if 1 + i % 28 <= 10)
        assert first.run.added == expected  # type: ignore[attr-defined]
        assert first.run.next_from == "2024-02-10T23:59:59Z"  # type: ignore[attr-defined]
        before = len(server.log)
        second = _harvest(settings, server)
        asked = [h.query for h in server.log[before:] if h.query.get("verb") == "ListRecords"]
    assert asked[0]["from"] == "2024-02-10T23:59:59Z" and "until" not in asked[0]
    assert second.run.added == GENERATED + 3 - expected  # type: ignore[attr-defined]
    assert len(_oai_ids(settings.store_dir)) == GENERATED + 3


def test_a_terminal_sees_pages_records_rate_and_eta(tmp_path: Path,
                                                    corpus: Callable[[], Records]) -> None:
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store"),
           "COLLEX_HARVEST_RATE": "8"}
    env.pop("COLLEX_BASE_IRI", None)
    with OaiServer(corpus(), page_size=20) as server:  # 12 pages: about 1.5 s
        command = f"{COLLEX} harvest {server.url} --metadata-prefix ead"
        run = subprocess.run(["script", "-qefc", command, "/dev/null"], env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-2000:]
    screen = run.stdout
    assert re.search(r"url-127-0-0-1-oai-ead-\w+: page \d+", screen), screen[-2000:]
    assert re.search(r"\d+/233", screen)  # records of completeListSize
    assert re.search(r"records \d+/s", screen) and re.search(r"\d:\d\d:\d\d", screen)


def test_nothing_changed_is_a_complete_harvest_of_nothing(
        tmp_path: Path, corpus: Callable[[], Records]) -> None:
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(corpus(), page_size=80) as server:
        assert _harvest(settings, server).outcome == "complete"  # type: ignore[attr-defined]
        time.sleep(1.1)
        again = _harvest(settings, server)
    assert again.outcome == "complete" and again.run.records == 0  # type: ignore[attr-defined]
    errors = [h for h in server.log if h.query.get("verb") == "ListRecords"]
    assert errors[-1].query.get("from")


def test_a_source_down_fails_alone_and_says_why(tmp_path: Path, cli: CliRun,
                                                corpus: Callable[[], Records]) -> None:
    from tests.conftest import free_port

    dead = f"http://127.0.0.1:{free_port()}/oai"
    with OaiServer(corpus(), page_size=80) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(f"""
[[source]]
id = "down"
name = "A repository that is down"
url = "{dead}"
metadata_prefix = "ead"
kind = "ead"

[[source]]
id = "up"
name = "A repository that answers"
institution = "751052116"
url = "{server.url}"
metadata_prefix = "ead"
kind = "ead"
rate_limit = 50
""", encoding="utf-8")
        env = {"COLLEX_HARVEST_SOURCES": str(sources), "COLLEX_HARVEST_RETRIES": "1"}
        run = cli("harvest", "--all", "--json", extra_env=env)
    assert run.returncode == 2, run.stderr
    report = json.loads(run.stdout)
    by_id = {s["source"]: s for s in report["sources"]}
    assert by_id["up"]["outcome"] == "complete" and by_id["up"]["added"] == GENERATED + 3
    assert by_id["down"]["outcome"] == "failed"
    assert "no answer after 2 tries" in by_id["down"]["error"]
    assert "Traceback" not in run.stderr
    status = cli("harvest", "--status", "--json", extra_env=env)
    states = {s["key"]: s for s in json.loads(status.stdout)["sources"]}
    assert states["down"]["last"]["outcome"] == "failed"
    assert states["up"]["last"]["added"] == GENERATED + 3
    assert states["up"]["institution"] == "FR-751052116"  # an RCR is a French ISIL


def test_an_answer_over_the_size_cap_is_refused(tmp_path: Path,
                                                corpus: Callable[[], Records]) -> None:
    settings = _settings(tmp_path, harvest_rate=50, harvest_max_response_bytes=50_000)
    with OaiServer(corpus(), page_size=80) as server:
        result = _harvest(settings, server)
    assert result.outcome == "failed"  # type: ignore[attr-defined]
    assert "over the cap of 50000 bytes" in result.error  # type: ignore[attr-defined]


def test_idref_authorities_are_harvested_and_deleted_like_notices(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "data" / "sample" / "idref"
    recs = []
    for path in sorted(sample.glob("*.xml")):
        body = path.read_bytes()
        record = body[body.index(b"<record"):]
        ppn = re.search(rb'tag="001">([^<]+)<', record).group(1).decode()  # type: ignore
        recs.append(Rec(f"oai:IdRefOAIServer.fr:{ppn}", "2024-01-01T00:00:00Z", record))
    records = Records(recs)
    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(records, page_size=2, prefix="marc-xml") as server:
        target = url_target(server.url, "marc-xml", None, "idref")
        store = open_write(settings.store_dir)
        first = Harvester(settings, store).harvest(target)
        assert first.outcome == "complete" and first.run.added == len(recs), first.rejected
        assert first.run.pages == 3
        gone = recs[0].identifier
        records.delete(gone, time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                           time.gmtime(time.time() + 5)))
        second = Harvester(settings, store).harvest(target)
        assert second.run.deleted == 1
        ppn = gone.rsplit(":", 1)[1]
        assert not store.ask(f"ASK {{ GRAPH <http://127.0.0.1:8000/graph/idref/{ppn}>"
                             " { ?s ?p ?o } }")


def test_api_sources_says_what_each_harvest_did(tmp_path: Path,
                                               corpus: Callable[[], Records]) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    settings = _settings(tmp_path, harvest_rate=50)
    with OaiServer(corpus(), page_size=80) as server:
        _harvest(settings, server)
        url = server.url
    with TestClient(create_app(settings)) as client:
        answer = client.get("/api/sources")
    assert answer.status_code == 200
    (source,) = answer.json()["sources"]
    assert source["url"] == url and source["metadata_prefix"] == "ead"
    last = source["last"]
    assert (last["outcome"], last["pages"], last["added"], last["rejected"]) == (
        "complete", 3, GENERATED + 3, 0)
    assert last["from"] is None and last["next_from"] and source["running"] is None

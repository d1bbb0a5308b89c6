"""The README's promises about the command, each as a newcomer would meet it (issue #12):
one line on stderr, never a stack trace, exit 0/1/2, no store created by mistake."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import COLLEX, SAMPLE, CliRun, free_port

GOOD = (SAMPLE / "ead" / "bis-0003-tapir.xml").read_text(encoding="utf-8")


def _one_line_error(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("collex: error: "), out.stderr
    return lines[0]


@pytest.mark.parametrize("setting", ["COLLEX_CORS_ORIGINS", "COLLEX_IDREF_ALLOWED_HOSTS",
                                     "COLLEX_SERVICE_ALLOWLIST", "COLLEX_LOAD_ALLOWLIST"])
@pytest.mark.parametrize("command", [["stats"], ["load", str(SAMPLE)], ["serve"]])
def test_a_list_setting_that_is_not_json_is_one_line(cli: CliRun, setting: str,
                                                     command: list[str]) -> None:
    line = _one_line_error(cli(*command, extra_env={setting: "notjson"}))
    assert setting in line and "JSON" in line


@pytest.mark.parametrize("command", [["stats"], ["query", "ASK {}"], ["dump", "x.nq"],
                                     ["backup", "bk"], ["derive"], ["link-report"],
                                     ["quality"], ["suggest-members", "x"],
                                     ["enrich", "idref"], ["serve"], ["publish"],
                                     ["export", "datasets", "out"]])
def test_commands_that_need_a_store_refuse_a_missing_one(cli: CliRun, tmp_path: Path,
                                                        command: list[str]) -> None:
    """A mistyped COLLEX_STORE_DIR used to give an empty new store and a success."""
    line = _one_line_error(cli(*command))
    assert "no store at" in line
    assert not (tmp_path / "store").exists()


def test_serve_creates_a_store_only_when_asked(tmp_path: Path) -> None:
    port = free_port()
    env = {"COLLEX_STORE_DIR": str(tmp_path / "new")}
    proc = subprocess.Popen([str(COLLEX), "serve", "--port", str(port), "--create-store"],
                            env={**_env(), **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        from tests.conftest import _wait_http

        _wait_http(f"http://127.0.0.1:{port}/healthz")
        assert (tmp_path / "new").is_dir()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("COLLEX_BASE_IRI", None)
    return env


def test_a_busy_port_is_one_line(cli: CliRun) -> None:
    assert cli("load", str(SAMPLE / "ead" / "bis-0003-tapir.xml")).returncode == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = _one_line_error(cli("serve", "--port", str(port)))
    assert "in use" in line


def test_a_sparql_prefix_error_is_one_short_line(cli: CliRun) -> None:
    assert cli("load", str(SAMPLE / "ead" / "bis-0003-tapir.xml")).returncode == 0
    line = _one_line_error(cli("query", "SELECT * WHERE { ?s foo:bar ?o }"))
    assert "PREFIX" in line and len(line) < 200


def test_query_says_updates_are_not_its_job(cli: CliRun) -> None:
    assert cli("load", str(SAMPLE / "ead" / "bis-0003-tapir.xml")).returncode == 0
    for update in ("INSERT DATA { <a:b> <a:b> <a:b> }",
                   "PREFIX ex: <http://ex.org/>\n# comment\nDELETE WHERE { ?s ?p ?o }"):
        line = _one_line_error(cli("query", update))
        assert "not updates" in line
    assert cli("query", "ASK { ?s ?p ?o }").returncode == 0


def test_a_report_that_cannot_be_written_stops_before_the_load(cli: CliRun,
                                                                tmp_path: Path) -> None:
    """``load --report /nonexistent/r.json`` used to write the store, then exit 2."""
    line = _one_line_error(cli("load", str(SAMPLE), "--report",
                               str(tmp_path / "nowhere" / "r.json")))
    assert "cannot write" in line
    assert not (tmp_path / "store").exists()


def test_an_empty_folder_is_an_error_not_a_success(cli: CliRun, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.md").write_text("x", encoding="utf-8")
    line = _one_line_error(cli("load", str(tmp_path / "empty")))
    assert "nothing to read" in line


def test_a_missing_path_among_good_ones_is_refused_alone(cli: CliRun, tmp_path: Path) -> None:
    (tmp_path / "good.xml").write_text(GOOD, encoding="utf-8")
    out = cli("load", str(tmp_path / "good.xml"), str(tmp_path / "missing.xml"), "--json")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    report = json.loads(out.stdout)
    assert report["loaded"] == 1
    assert any("No such file" in r["message"] for r in report["rejected"])


def test_suggest_members_limit_must_be_positive(cli: CliRun) -> None:
    for limit in ("0", "-1", "x"):
        out = cli("suggest-members", "philologie-medievale", "--limit", limit)
        assert out.returncode == 2 and "Traceback" not in out.stderr
        assert "--limit" in out.stderr


def test_link_report_json_is_json_alone(cli: CliRun) -> None:
    assert cli("load", str(SAMPLE)).returncode == 0
    out = cli("link-report", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)  # the whole stdout, nothing before or after
    assert report["institutions"] and "rate" in report["institutions"][0]


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.seen.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_enrich_contacts_no_host_outside_the_allow_list(cli: CliRun, recorder: str) -> None:
    """``--sparql`` and ``COLLEX_IDREF_BASE_URL`` off the allow-list used to be contacted, or
    to print a traceback."""
    assert cli("load", str(SAMPLE / "ead")).returncode == 0  # notices citing PPNs
    for args, env in ((["--sparql", f"{recorder}/sparql"], {}),
                      (["--sparql", "notaurl"], {}),
                      ([], {"COLLEX_IDREF_BASE_URL": f"{recorder}/"})):
        line = _one_line_error(cli("enrich", "idref", *args, extra_env=env))
        assert "COLLEX_IDREF_ALLOWED_HOSTS" in line
    assert _Recorder.seen == []


def test_an_unreachable_sparql_endpoint_is_reported_not_a_traceback(cli: CliRun) -> None:
    assert cli("load", str(SAMPLE / "ead")).returncode == 0
    port = free_port()  # nothing listens there
    out = cli("enrich", "idref", "--sparql", f"http://127.0.0.1:{port}/sparql",
              extra_env={"COLLEX_IDREF_ALLOWED_HOSTS": '["127.0.0.1", "www.idref.fr"]'})
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert "error" in out.stderr


def test_a_reload_of_unchanged_files_writes_nothing(cli: CliRun, tmp_path: Path) -> None:
    """The README said "idempotent reload"; load times and the data version changed."""
    assert cli("load", str(SAMPLE)).returncode == 0
    assert cli("dump", str(tmp_path / "a.nq")).returncode == 0
    again = cli("load", str(SAMPLE), "--json")
    assert again.returncode == 0
    report = json.loads(again.stdout)
    assert report["unchanged"] == report["loaded"] and report["written"] is False
    assert cli("dump", str(tmp_path / "b.nq")).returncode == 0
    assert (tmp_path / "a.nq").read_bytes() == (tmp_path / "b.nq").read_bytes()


def test_a_good_notice_and_an_unparseable_dao_link(cli: CliRun, tmp_path: Path) -> None:
    """Issue #12's acceptance: exit 1, the good notice loaded, the bad link reported (it used
    to make the store refuse the whole write)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.xml").write_text(GOOD, encoding="utf-8")
    bad = GOOD.replace("FR-751052105-0003", "FR-751052105-9999").replace(
        "</did>", '</did><dao href="http://[::1"/>', 1)
    (folder / "bad-link.xml").write_text(bad, encoding="utf-8")
    idref = SAMPLE / "idref" / "027058352.xml"
    out = cli("load", str(folder), str(idref), "--json")
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert report["loaded"] == 3 and report["written"] is True
    assert any("http://[::1" in r["message"] and "bad-link.xml" in r["file"]
               for r in report["rejected"])
    count = cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?c a dcmitype:Collection }")
    assert count.stdout.split() == ["n", "2"]


@pytest.mark.parametrize("setting", [("COLLEX_CORS_ORIGINS", "notjson"),
                                     ("COLLEX_QUERY_WORKERS", "many"),
                                     ("COLLEX_BASE_IRI", "ftp://x")])
@pytest.mark.parametrize("command", [
    ["load", str(SAMPLE)], ["validate", str(SAMPLE)], ["fidelity", str(SAMPLE)], ["stats"],
    ["query", "ASK {}"], ["dump", "x.nq"], ["restore", "x.nq"], ["backup", "bk"],
    ["enrich", "idref"], ["link-report"], ["suggest-members", "x"], ["quality"], ["derive"],
    ["serve"], ["publish"], ["export", "datasets", "out"]])
def test_every_command_with_a_broken_setting_is_one_line(cli: CliRun, command: list[str],
                                                         setting: tuple[str, str]) -> None:
    name, value = setting
    line = _one_line_error(cli(*command, extra_env={name: value}))
    assert name in line


def test_make_run_mints_iris_on_the_port_it_serves(tmp_path: Path) -> None:
    """``make run PORT=8001`` used to serve on 8001 and mint links to :8000. The Makefile is
    run with a stand-in ``collex`` that records the environment it is given."""
    import os

    root = Path(__file__).resolve().parent.parent
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("collex", "python"):
        script = fake / name
        script.write_text(f'#!/bin/sh\necho "$COLLEX_BASE_IRI $*" >> {tmp_path}/calls\n',
                          encoding="utf-8")
        script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COLLEX_", "MAKE"))}
    make = ["make", "-s", "--old-file=install", "run", "PORT=8001", f"BIN={fake}"]
    out = subprocess.run(make, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    calls = (tmp_path / "calls").read_text(encoding="utf-8").splitlines()
    assert len(calls) == 2 and all(c.startswith("http://127.0.0.1:8001/ ") for c in calls)
    assert calls[0].endswith(" load data/sample --report var/sample-load-report.json")
    assert calls[1].endswith(" serve --host 127.0.0.1 --port 8001")
    explicit = subprocess.run(make, cwd=root, capture_output=True, text=True, timeout=120,
                              env={**env, "COLLEX_BASE_IRI": "https://collex.example/"})
    assert explicit.returncode == 0
    last = (tmp_path / "calls").read_text(encoding="utf-8").splitlines()[-1]
    assert last.startswith("https://collex.example/ ")

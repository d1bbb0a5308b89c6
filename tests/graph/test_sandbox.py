"""SERVICE and LOAD closed by construction: the engine, run where ``graph.sandbox`` denies
network sockets, cannot reach a listener on 127.0.0.1 whatever the query says; the same
query outside the sandbox does (the control)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from collex.errors import QueryRejected, StoreUnavailable
from graph.base import QueryRequest
from graph.embedded import open_write
from graph.pool import QueryPool
from graph.sandbox import OfflineThread, supported
from tests.api.test_service_forgery import Listener

pytestmark = pytest.mark.skipif(not supported(), reason="seccomp sandbox: Linux x86-64/arm64")


@pytest.fixture
def listener() -> Listener:  # type: ignore[misc]
    server = Listener()
    yield server
    server.close()


def _service(port: int) -> str:
    return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"


def test_a_sandboxed_process_opens_unix_sockets_only() -> None:
    code = ("import socket; from graph.sandbox import deny_network\n"
            "assert deny_network(whole_process=True)\n"
            "socket.socketpair(socket.AF_UNIX).__class__\n"
            "for family in (socket.AF_INET, socket.AF_INET6):\n"
            "    try:\n        socket.socket(family)\n    except PermissionError:\n"
            "        print('denied', family)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("denied") == 2


@pytest.mark.parametrize("offline", [True, False])
def test_query_workers_reach_no_service_when_offline(tmp_path: Path, listener: Listener,
                                                     offline: bool) -> None:
    """The pool is called directly, below the endpoint's allow-list check."""
    store = open_write(tmp_path / "store")
    pool = QueryPool(tmp_path / "store", workers=1, timeout=20, snapshot=store.backup,
                     offline=offline)
    try:
        with pytest.raises(QueryRejected if offline else StoreUnavailable) as caught:
            pool.call("run", QueryRequest(_service(listener.port)))
        assert ("network connection" in str(caught.value)) is offline
        assert pool.call("ask", "ASK {}") is True  # the worker still answers
    finally:
        pool.close()
    assert (listener.connections == 0) is offline


@pytest.mark.parametrize("offline", [True, False])
def test_updates_load_nothing_from_the_network_when_offline(tmp_path: Path,
                                                            listener: Listener,
                                                            offline: bool) -> None:
    store = open_write(tmp_path / "store")
    thread = OfflineThread() if offline else None
    update = f"LOAD <http://127.0.0.1:{listener.port}/data.ttl> INTO GRAPH <http://ex.org/g>"
    try:
        with pytest.raises(QueryRejected if offline else StoreUnavailable) as caught:
            if thread is not None:
                assert thread.active
                thread.run(store.update, update)
            else:
                store.update(update)
        assert ("network connection" in str(caught.value)) is offline
        if thread is not None:  # the thread still writes what needs no network
            thread.run(store.update, "INSERT DATA { <http://ex.org/a> <http://ex.org/b> 1 }")
            assert store.ask("ASK { <http://ex.org/a> ?p ?o }")
    finally:
        if thread is not None:
            thread.close()
    assert (listener.connections == 0) is offline
    socket.socket(socket.AF_INET).close()  # the rest of the process is not sandboxed

"""Shared test fixtures. Tests that need ../shared skip outside CI and fail inside CI."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from collex.settings import Settings

if TYPE_CHECKING:
    from graph.virtuoso import Server

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = ROOT / "data" / "sample"
# source records of the sample: 21 notices, 5 IdRef records, 37 list rows, the disciplines
SAMPLE_RECORDS = 65
COLLEX = Path(sys.executable).parent / "collex"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite golden files from the current output (review the diff!)")
    parser.addoption("--large", action="store_true",
                     help="run only the tests marked large (inputs up to 300 MB: make"
                          " test-large, which CI runs after make test)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``make test`` runs everything but the large inputs; ``--large`` runs those alone.
    Deselected, not skipped: nothing is counted that did not run."""
    large = bool(config.getoption("--large"))
    keep = [i for i in items if (i.get_closest_marker("large") is not None) == large]
    dropped = [i for i in items if i not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared, required in CI."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing: CI must run with shared/ beside the clone")
        pytest.skip("../shared not available (outside CI)")
    return SHARED


@pytest.fixture(scope="session")
def an_ead(shared: Path) -> Path:
    return shared / "samples" / "an-rico-converter" / "ead"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store", base_iri="http://127.0.0.1:8000/")


CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> CliRun:
    """Run the installed ``collex`` command on a store of its own."""
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")}
    env.pop("COLLEX_BASE_IRI", None)

    def run(*args: str, extra_env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(COLLEX), *args], capture_output=True, text=True,
                              env={**env, **(extra_env or {})}, timeout=timeout, check=False)

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ServerFactory = Callable[..., str]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def _wait_http(url: str) -> None:
    import httpx

    for _ in range(150):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not come up")


def start_oxigraph(location: Path, procs: list[subprocess.Popen[bytes]]) -> str:
    """A real `oxigraph serve` (PyPI package oxigraph); its URL. Not started with
    ``--union-default-graph``: collex asks for the union by request (graph.remote)."""
    port = free_port()
    proc = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(location),
         "--bind", f"127.0.0.1:{port}", "--timeout-s", "10"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(proc)
    url = f"http://127.0.0.1:{port}"
    _wait_http(url + "/query?query=ASK%7B%7D")
    return url


@contextlib.contextmanager
def remote_store(kind: str, directory: Path) -> Iterator[dict[str, str]]:
    """A remote store of ``kind`` ("remote": `oxigraph serve`; "virtuoso") in ``directory``
    for the block: the settings that point collex at it."""
    if kind == "virtuoso":
        from graph.virtuoso import VIRTUOSO, Server

        if shutil.which(VIRTUOSO) is None:
            if os.environ.get("CI"):
                pytest.fail("virtuoso-t is missing in CI")
            pytest.skip("virtuoso-t is not installed")
        with Server(directory / "virtuoso", free_port(), free_port()) as server:
            yield server.env()
        return
    procs: list[subprocess.Popen[bytes]] = []
    try:
        yield remote_env(start_oxigraph(directory / "oxigraph", procs))
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Start real `oxigraph serve` processes (PyPI package oxigraph), union default graph."""
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> str:
        return start_oxigraph(tmp_path / f"oxigraph{len(procs)}", procs)

    yield start
    for proc in procs:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def virtuoso_server(tmp_path: Path) -> Iterator[Callable[[], Server]]:
    """Start real Virtuoso servers (Debian's virtuoso-opensource-7-bin), each with its own
    database, configuration and ports in ``tmp_path``, set up as ``graph.virtuoso`` says;
    stopped at the end. Outside CI, skipped where Virtuoso is not installed."""
    from graph.virtuoso import VIRTUOSO, Server

    if shutil.which(VIRTUOSO) is None:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is missing in CI (.ci/run installs virtuoso-opensource-7-bin)")
        pytest.skip("virtuoso-t is not installed")
    servers: list[Server] = []

    def start() -> Server:
        server = Server(tmp_path / f"virtuoso{len(servers)}", free_port(), free_port())
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def remote_env(url: str) -> dict[str, str]:
    """Settings that point collex at an `oxigraph serve` instance."""
    return {"COLLEX_STORE": "remote", "COLLEX_REMOTE_QUERY_URL": url + "/query",
            "COLLEX_REMOTE_UPDATE_URL": url + "/update"}


@pytest.fixture(params=["embedded"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which store `serve` uses; modules parametrize it indirectly to run on both."""
    return str(request.param)


@pytest.fixture
def serve(tmp_path: Path, backend: str, oxigraph_server: Callable[[], str],
          request: pytest.FixtureRequest) -> Iterator[ServerFactory]:
    """Start real `collex serve` processes (sample data loaded); returns their base URL."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str] | None = None, load: bool = True) -> str:
        store = tmp_path / f"store{len(procs)}"
        full = {**os.environ, "COLLEX_STORE_DIR": str(store), **(env or {})}
        if backend == "remote":
            full.update(remote_env(oxigraph_server()))
        elif backend == "virtuoso":
            full.update(request.getfixturevalue("virtuoso_server")().env())
        if load:
            subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=full, check=True,
                           capture_output=True)
        port = free_port()
        proc = subprocess.Popen([str(COLLEX), "serve", "--port", str(port),
                                 *([] if load else ["--create-store"])], env=full,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        _wait_http(url + "/healthz")
        return url

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def serving(store: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`collex serve` on the store at ``store`` (loaded beforehand) for the block; its URL."""
    full = {**os.environ, "COLLEX_STORE_DIR": str(store), "COLLEX_RATE_LIMIT": "1000",
            "COLLEX_RATE_BURST": "1000", **(env or {})}
    port = free_port()
    proc = subprocess.Popen([str(COLLEX), "serve", "--port", str(port)], env=full,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(url + "/healthz")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _serve_loaded(tmp: Path, *paths: Path, env: dict[str, str] | None = None
                  ) -> Iterator[str]:
    """`collex serve` on a store of its own where ``paths`` were loaded; yields its URL."""
    subprocess.run([str(COLLEX), "load", *map(str, paths)], check=True, capture_output=True,
                   env={**os.environ, "COLLEX_STORE_DIR": str(tmp / "store"), **(env or {})})
    with serving(tmp / "store", env) as url:
        yield url


THREE_BACKENDS = pytest.mark.parametrize("sample_backend", ["embedded", "remote", "virtuoso"],
                                         indirect=True, scope="module")
"""Runs a test using `sample_server` on the embedded store, `oxigraph serve` and Virtuoso
(one server per store for the module)."""


@pytest.fixture(scope="module", params=["embedded"])
def sample_backend(request: pytest.FixtureRequest) -> str:
    """Which store `sample_server` uses; tests marked `THREE_BACKENDS` run on all three."""
    return str(request.param)


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory, sample_backend: str
                  ) -> Iterator[str]:
    """One `collex serve` on the loaded sample for a whole test module (read-only tests)."""
    tmp = tmp_path_factory.mktemp("served")
    if sample_backend == "embedded":
        yield from _serve_loaded(tmp, SAMPLE)
        return
    with remote_store(sample_backend, tmp) as env:
        yield from _serve_loaded(tmp, SAMPLE, env=env)


@pytest.fixture(scope="module")
def fa_server(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Iterator[str]:
    """`collex serve` on real finding aids (the Vendée postcards, the departmental files)."""
    fa = shared / "samples" / "francearchives"
    yield from _serve_loaded(tmp_path_factory.mktemp("fa"), fa / "FRAD085_6Fi.xml",
                             fa / "ir_data")

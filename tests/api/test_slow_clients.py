"""Slow and vanishing clients: connections that dribble their headers are closed after
COLLEX_HEADER_TIMEOUT and do not slow anyone else; a client that leaves mid-body costs one
log line, not a traceback."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import time
from pathlib import Path

import httpx

from tests.conftest import COLLEX, SAMPLE, _wait_http, free_port


def _start(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, Path]:
    full = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store"), **env}
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=full, check=True,
                   capture_output=True)
    port = free_port()
    log = tmp_path / "serve.log"
    proc = subprocess.Popen([str(COLLEX), "serve", "--port", str(port)], env=full,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait_http(url + "/healthz")
    return proc, url, log


def test_slow_header_connections_are_closed_and_slow_no_one(tmp_path: Path) -> None:
    proc, url, _ = _start(tmp_path, {"COLLEX_HEADER_TIMEOUT": "3"})
    port = int(url.rsplit(":", 1)[1])
    slow: list[socket.socket] = []
    try:
        with httpx.Client(timeout=10) as client:  # the same client, before: the baseline
            baseline = []
            for _ in range(100):
                t = time.perf_counter()
                assert client.get(url + "/healthz").status_code == 200
                baseline.append(time.perf_counter() - t)
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /api/networks HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        started = time.monotonic()
        latencies = []
        dribbled = started
        with httpx.Client(timeout=10) as client:
            while time.monotonic() - started < 2.0:
                if time.monotonic() - dribbled > 0.5:  # one more header line, now and then
                    for s in slow:
                        s.sendall(b"X-Slow: 1\r\n")
                    dribbled = time.monotonic()
                t = time.perf_counter()
                assert client.get(url + "/healthz").status_code == 200
                latencies.append(time.perf_counter() - t)
        # p95 under 20 ms (the bound), or within 3x of this machine's own baseline
        # when the machine is that slow (a loaded CI runner)
        p95 = statistics.quantiles(latencies, n=20)[18]
        before = statistics.quantiles(baseline, n=20)[18]
        assert p95 < max(0.020, 3 * before), (p95, before)
        time.sleep(max(0.0, started + 4.0 - time.monotonic()))
        closed = 0
        for s in slow:
            s.settimeout(2)
            try:
                closed += s.recv(1024) == b""
            except (ConnectionResetError, TimeoutError):
                closed += 0
        assert closed == 200
    finally:
        for s in slow:
            s.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_a_client_gone_mid_body_is_one_log_line(tmp_path: Path) -> None:
    proc, url, log = _start(tmp_path, {})
    port = int(url.rsplit(":", 1)[1])
    try:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
                  b"\r\nContent-Length: 1000\r\n\r\nSELECT * WHERE")
        time.sleep(0.5)
        s.close()
        time.sleep(1.0)
        assert httpx.get(url + "/healthz").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = log.read_text()
    assert "Traceback" not in text
    assert text.count("disconnected before sending the whole request") == 1

"""OpenLink Virtuoso (the engine of data.idref.fr and data.bnf.fr) as the remote store: its
configuration, the set-up our graph layout needs, and a server started for tests and bench.

What the layout needs of it (``SETUP_SQL``): Virtuoso's own graphs (quad-map metadata, LDP,
the endpoint's description) live in the same quad store as ours, and its default graph is
the union of every graph the user may read. They are put in its ``PrivateGraphs`` group and
hidden from the anonymous SPARQL user, so that ``/sparql`` sees our named graphs and nothing
else: the union default graph then answers as the embedded store's does. Writes go through
``/sparql-auth`` (digest authentication) as a user allowed to update.

``python -m graph.virtuoso init DIR --memory-gb 64`` writes a ``virtuoso.ini`` and the set-up
script for a server of that memory (README, "Running at national scale").
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path
from typing import IO

import requests

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"  # Debian's name of Virtuoso's isql
PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
SYSTEM_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                 "http://localuriqaserver/sparql")
NO_GRAPH = "urn:collex:bulk-load:no-graph"  # where a bulk-loaded triple without graph would go


def setup_sql(password: str | None = None) -> str:
    """The statements run once on a new database (as dba): Virtuoso's graphs made private,
    the others readable by the anonymous SPARQL user, and (if given) the dba password."""
    lines = [f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{PRIVATE}', 1);"]
    lines += [f"DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE}', '{g}');" for g in SYSTEM_GRAPHS]
    lines += ["DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);",  # private graphs: none
              "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);"]  # the others: read
    if password:
        lines.append(f"SET PASSWORD dba {password};")
    lines.append("checkpoint;")
    return "\n".join(lines) + "\n"


def bulk_load_sql(directory: Path, pattern: str = "*.nq*") -> str:
    """Virtuoso's bulk loader on the N-Quads files of ``directory`` (``collex dump`` of an
    embedded store, gzipped or not): every quad into its named graph, then a checkpoint. The
    directory must be in the ``DirsAllowed`` of ``virtuoso.ini``; a file's errors are kept in
    ``DB.DBA.LOAD_LIST`` (``ll_error``), printed by the last statement."""
    return (f"ld_dir ('{directory.resolve()}', '{pattern}', '{NO_GRAPH}');\n"
            "rdf_loader_run ();\n"
            "checkpoint;\n"
            "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;\n")


def ini(directory: Path, sql_port: int, http_port: int, memory_gb: float = 2.0,
        max_rows: int = 1_000_000, timeout_s: int = 0, threads: int = 8,
        dirs_allowed: tuple[Path, ...] = ()) -> str:
    """A ``virtuoso.ini`` for a database in ``directory``: buffers sized for ``memory_gb``
    of RAM as OpenLink advises (about two thirds of it in 8 KB pages, three quarters of
    those dirty at most), ``max_rows`` (``ResultSetMaxRows``: answers longer than this are
    cut, and the adapter refuses a cut answer), ``timeout_s`` (``MaxQueryExecutionTime``,
    0 for none: past it Virtuoso answers what it found so far, which the adapter refuses as
    a timeout)."""
    d = directory.resolve()
    allowed = ", ".join([".", str(d), *(str(p.resolve()) for p in dirs_allowed)])
    buffers = max(10_000, int(memory_gb * 0.66 * (1 << 30) / 8192))
    return f"""[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = {max(2000, buffers // 4)}
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = {allowed}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
CheckpointInterval = 60
ThreadsPerQuery = {threads}
AsyncQueueMaxThreads = {threads}
MaxClientConnections = {threads * 2}
MaxQueryMem = {max(1, int(memory_gb / 4))}G
VectorSize = 1000
AdjustVectorSize = 1
MaxMemPoolSize = 200000000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}/www
MaxClientConnections = {threads * 2}
ServerThreads = {threads * 2}
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {timeout_s}
DefaultQuery = ASK {{}}
"""


class Server:
    """A Virtuoso server of its own in ``directory`` (tests, bench): started, set up, stopped.

    >>> # with Server(tmp, sql_port, http_port) as v: v.query_url, v.update_url
    """

    def __init__(self, directory: Path, sql_port: int, http_port: int,
                 memory_gb: float = 1.0, setup: bool = True,
                 dirs_allowed: tuple[Path, ...] = (), **options: int) -> None:
        self.directory, self.sql_port, self.http_port = directory, sql_port, http_port
        self.dirs_allowed = dirs_allowed
        self.memory_gb, self.options, self.setup = memory_gb, options, setup
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.url = f"http://127.0.0.1:{http_port}"
        self.query_url = self.url + "/sparql"
        self.update_url = self.url + "/sparql-auth"
        self.graph_store_url = self.url + "/sparql-graph-crud-auth"
        self.user, self.password = "dba", "dba"

    def start(self) -> Server:
        if shutil.which(VIRTUOSO) is None:
            raise RuntimeError("virtuoso-t is not installed (Debian: virtuoso-opensource-7-bin)")
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "www").mkdir(exist_ok=True)
        new = not (self.directory / "virtuoso.db").exists()
        config = self.directory / "virtuoso.ini"
        config.write_text(ini(self.directory, self.sql_port, self.http_port, self.memory_gb,
                              dirs_allowed=self.dirs_allowed, **self.options))
        self._log = log = (self.directory / "stdout.log").open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 (Virtuoso's server, a configuration of ours)
            [VIRTUOSO, "-f", "-c", str(config)], cwd=self.directory,
            stdout=log, stderr=subprocess.STDOUT)
        self._wait()
        if new and self.setup:
            self.isql(setup_sql())
        return self

    def _wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t stopped at start (see {self.directory}"
                                   "/virtuoso.log)")
            try:
                if requests.get(self.query_url, params={"query": "ASK {}"},
                                timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"virtuoso-t did not answer within {seconds:g} s")

    def isql(self, sql: str) -> str:
        """Run SQL statements as dba through Virtuoso's isql."""
        script = self.directory / "run.sql"
        script.write_text(sql)
        done = subprocess.run(  # noqa: S603 (Virtuoso's isql, a script of ours)
            [ISQL, f"127.0.0.1:{self.sql_port}", self.user, self.password, str(script)],
            capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql: {done.stdout[-1000:]}{done.stderr[-500:]}")
        return done.stdout

    def bulk_load(self, directory: Path, pattern: str = "*.nq*") -> None:
        """Load the N-Quads files of ``directory`` by Virtuoso's bulk loader
        (``bulk_load_sql``); a file it could not read raises, naming the file and its error."""
        out = self.isql(bulk_load_sql(directory, pattern))
        tail = out.rsplit("ll_error", 1)[-1]
        if "0 Rows." not in tail:
            raise RuntimeError(f"Virtuoso's bulk loader refused files: {tail.strip()[:1000]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def env(self) -> dict[str, str]:
        """The settings that point collex at this server."""
        return {"COLLEX_STORE": "remote", "COLLEX_REMOTE_QUERY_URL": self.query_url,
                "COLLEX_REMOTE_UPDATE_URL": self.update_url,
                "COLLEX_REMOTE_GRAPH_STORE_URL": self.graph_store_url,
                "COLLEX_REMOTE_AUTH": "digest",
                "COLLEX_REMOTE_USER": self.user, "COLLEX_REMOTE_PASSWORD": self.password}

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.virtuoso",
                                     description="Write a Virtuoso configuration for collex.")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="write virtuoso.ini and setup.sql into DIR")
    init.add_argument("directory", type=Path)
    init.add_argument("--memory-gb", type=float, default=16.0,
                      help="RAM given to Virtuoso's buffers (default 16)")
    init.add_argument("--sql-port", type=int, default=1111)
    init.add_argument("--http-port", type=int, default=8890)
    init.add_argument("--timeout-s", type=int, default=60,
                      help="MaxQueryExecutionTime (default 60; 0: none)")
    init.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    args.directory.mkdir(parents=True, exist_ok=True)
    (args.directory / "virtuoso.ini").write_text(
        ini(args.directory, args.sql_port, args.http_port, args.memory_gb,
            timeout_s=args.timeout_s, threads=args.threads))
    (args.directory / "setup.sql").write_text(setup_sql())
    print(f"wrote {args.directory / 'virtuoso.ini'} and {args.directory / 'setup.sql'}:"
          f" start `virtuoso-t -f -c {args.directory / 'virtuoso.ini'}`, then run"
          f" `isql-vt {args.sql_port} dba dba {args.directory / 'setup.sql'}` once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A remote SPARQL 1.1 store (QLever, Virtuoso, GraphDB, Fuseki, `oxigraph serve`...) behind
the same interface as the embedded one, through the SPARQL 1.1 Protocol only.

- Queries are sent with the protocol's dataset parameters; answers are parsed and re-written
  by our serializers, so the row cap holds whatever the server does. The deadline is the HTTP
  timeout: past it the answer is 503 and our worker is free, but the remote server may keep
  computing unless it has its own timeout (configure one on the server).
- Writes are SPARQL updates. ``replace_graphs`` sends one update (drop + insert) so that a
  store that runs each update request as a transaction replaces all graphs atomically; with a
  Graph Store Protocol endpoint it writes graph by graph, journaled (see ``replace_graphs``).
- The default graph is the union of our named graphs, as in the embedded store: `oxigraph
  serve` is asked for it by request; Virtuoso once set up as ``graph.virtuoso`` says (its own
  graphs hidden from the query endpoint); Fuseki with ``unionDefaultGraph``; QLever by default.
- Engines are told apart by the Server header of their answers, for what is their own
  (Virtuoso's answers to ASK, its row limit and deadline, its ALL graphs).
"""

from __future__ import annotations

import io
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import requests
from requests.auth import HTTPDigestAuth

from collex.errors import InvalidInput, QueryRejected, QueryTimeout, StoreUnavailable
from collex.settings import Settings
from graph.base import QueryAnswer, QueryRequest, ReadStore, SelectRow, StoreStats
from graph.common import named_graphs_from, stats_from
from graph.embedded import _write_json, journal_path
from graph.results import GRAPH_MEDIA, SOLUTION_MEDIA, serialize_rows
from graph.sparql_text import expand_graph_sets, has_dataset_clause, query_form
from graph.spool import QuadSpool
from graph.virtuoso import SYSTEM_GRAPHS

_OX_GRAPH = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
             "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
             "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}
_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, "
           "text/turtle;q=0.8")
# By query form: Virtuoso answers a CONSTRUCT as a result table when the table comes first
_FORM_ACCEPT = {"SELECT": "application/sparql-results+json",
                "ASK": "application/sparql-results+json",
                "CONSTRUCT": "application/n-triples, text/turtle;q=0.8",
                "DESCRIBE": "application/n-triples, text/turtle;q=0.8"}
_ASK_COLUMN = "__ASK_RETVAL"  # Virtuoso 7.2 answers ASK as a one-column table


def parse_solutions(body: bytes) -> ox.QuerySolutions | bool:
    """A SPARQL JSON results document: rows, or the boolean of an ASK (also in Virtuoso's
    form, a table of one column ``__ASK_RETVAL`` holding 1, or no row for false)."""
    parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    if [v.value for v in parsed.variables] == [_ASK_COLUMN]:
        return any(getattr(s[_ASK_COLUMN], "value", "0") not in ("0", "false") for s in parsed)
    return parsed


class RemoteReader:
    """ReadStore over a SPARQL 1.1 query endpoint."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        if not settings.remote_query_url:
            raise InvalidInput("COLLEX_STORE=remote needs COLLEX_REMOTE_QUERY_URL")
        self.settings = settings
        self.query_url = settings.remote_query_url
        self.timeout = settings.query_timeout
        self.session = session or requests.Session()
        self.engine = ""  # the Server header of the last answer
        self._kind: str | None = None  # the engine, once known (see _detect)
        if settings.remote_auth == "basic":
            self.session.auth = (settings.remote_user or "", settings.remote_password or "")
        elif settings.remote_auth == "digest":
            self.session.auth = HTTPDigestAuth(settings.remote_user or "",
                                               settings.remote_password or "")
        elif settings.remote_auth == "bearer":
            self.session.headers["Authorization"] = f"Bearer {settings.remote_token or ''}"

    def _post(self, url: str, data: dict[str, object] | bytes, headers: dict[str, str],
              what: str) -> requests.Response:
        try:
            response = self.session.post(url, data=data, headers=headers,
                                         timeout=(5, self.timeout), stream=False)
        except requests.Timeout:
            raise QueryTimeout(
                f"the remote store did not answer the {what} within its {self.timeout:g} s"
                " deadline"
                " (COLLEX_QUERY_TIMEOUT); the remote store may go on computing"
                " unless it has a timeout of its own") from None
        except requests.RequestException as exc:
            raise StoreUnavailable(f"the remote store cannot be reached: {exc}") from None
        self.engine = response.headers.get("Server", "")
        text = response.text.strip() if response.status_code >= 300 else ""
        # Virtuoso: a deadline (MaxQueryExecutionTime) is SQL state S1T00 (error SR171), or
        # S1TAT on a 200 whose answer is what was found so far ("anytime" queries); compile
        # errors are SQL state 37000, sometimes with a 500
        if (response.headers.get("X-SQL-State", "").startswith("S1T")
                or text.startswith("Virtuoso S1T00")):
            raise QueryTimeout(f"the remote store stopped the {what} at its own deadline:"
                               f" {(text or response.headers.get('X-SQL-Message', ''))[:300]}")
        if response.status_code == 400 or text.startswith("Virtuoso 37000"):
            raise QueryRejected(f"the remote store rejected the {what} (syntax or unsupported"
                                f" feature): {text[:500]}")
        if response.status_code >= 300:
            raise StoreUnavailable(f"the remote store answered {response.status_code} to the"
                                   f" {what}: {text[:300]}")
        return response

    def _detect(self) -> str:
        """The remote engine, asked once: by the Server header of an answer, else (behind a
        proxy that rewrites it) by Virtuoso's own form of an ASK answer."""
        if self._kind is None:
            response = self._post(self.query_url, {"query": "ASK {}"},
                                  {"Accept": _FORM_ACCEPT["ASK"]}, "query")
            self._kind = self.engine
            if _ASK_COLUMN.encode() in response.content:
                self._kind = "Virtuoso"
        return self._kind

    @property
    def virtuoso(self) -> bool:
        """The remote store is Virtuoso."""
        return self._detect().startswith("Virtuoso")

    @property
    def oxigraph(self) -> bool:
        """The remote store is `oxigraph serve`: the union default graph is asked for by
        request (``union-default-graph``, ``using-union-graph``), so that updates with
        USING work too (a server started with ``--union-default-graph`` refuses them)."""
        return self._detect().startswith("Oxigraph")

    @property
    def keeps_empty_graphs(self) -> bool:
        """A named graph can exist empty (SPARQL 1.1 ``CREATE GRAPH``): not on Virtuoso."""
        return not self.virtuoso

    def _query(self, req: QueryRequest) -> requests.Response:
        # the base IRI travels in the text: the protocol has no parameter for it
        text = f"BASE <{req.base_iri}>\n{req.sparql}" if req.base_iri else req.sparql
        data: dict[str, object] = {"query": text}
        if req.default_graphs:
            data["default-graph-uri"] = list(req.default_graphs)
        if req.named_graphs:
            data["named-graph-uri"] = list(req.named_graphs)
        if (self.oxigraph and req.union_default and not req.default_graphs
                and not req.named_graphs):
            data["union-default-graph"] = ""
        accept = _FORM_ACCEPT.get(query_form(req.sparql) or "", _ACCEPT)
        return self._post(self.query_url, data, {"Accept": accept}, "query")

    @staticmethod
    def _cut_at(response: requests.Response) -> int | None:
        """The row limit the remote store applied (Virtuoso's ``ResultSetMaxRows``)."""
        value = response.headers.get("X-SPARQL-MaxRows", "")
        return int(value) if value.isdigit() else None

    def _refuse_cut(self, rows: int, cut: int | None, cap: int | None = None) -> None:
        """A remote answer cut short by the store's own row limit is refused, not passed on
        as if whole (unless our row cap cuts it shorter anyway)."""
        if cut is not None and rows >= cut and (cap is None or cap > cut):
            raise StoreUnavailable(
                f"the remote store cut its answer at {cut} rows (its own limit, Virtuoso's"
                " ResultSetMaxRows): raise that limit, or narrow the query")

    def run(self, request: QueryRequest) -> QueryAnswer:
        try:
            return self._run(request)
        except (SyntaxError, ValueError) as exc:  # an answer our parsers cannot read
            raise StoreUnavailable(f"the remote store's answer could not be read: {exc}"
                                   ) from None

    def _run(self, request: QueryRequest) -> QueryAnswer:
        response = self._query(request)
        media = response.headers.get("content-type", "").split(";")[0].strip()
        body = response.content
        if media in ("application/sparql-results+json", "application/json"):
            parsed = parse_solutions(body)
            fmt = request.solutions_format
            if fmt not in SOLUTION_MEDIA:
                raise QueryRejected("this SELECT/ASK answer is a result table: use one of "
                                    + ", ".join(SOLUTION_MEDIA))
            if isinstance(parsed, bool):
                return QueryAnswer("ask", SOLUTION_MEDIA[fmt], serialize_boolean(parsed, fmt))
            variables = [v.value for v in parsed.variables]
            rows: list[SelectRow] = []
            truncated = False
            seen = 0
            for solution in parsed:
                seen += 1
                if request.row_cap is not None and len(rows) >= request.row_cap:
                    truncated = True
                    continue
                rows.append({n: v for n in variables if (v := solution[n]) is not None})
            self._refuse_cut(seen, self._cut_at(response), request.row_cap)
            return QueryAnswer("select", SOLUTION_MEDIA[fmt],
                               serialize_rows(variables, rows, fmt), truncated)
        rdf = {"application/n-triples": ox.RdfFormat.N_TRIPLES,
               "text/turtle": ox.RdfFormat.TURTLE}.get(media)
        if rdf is None:
            raise StoreUnavailable(f"the remote store answered in an unexpected format {media}")
        gfmt = request.graph_format
        if gfmt not in _OX_GRAPH:
            raise QueryRejected("this CONSTRUCT/DESCRIBE answer is a graph: use one of "
                                + ", ".join(GRAPH_MEDIA))
        triples: list[ox.Triple] = []
        truncated = False
        seen = 0
        for quad in ox.parse(body, rdf):
            seen += 1
            if request.row_cap is not None and len(triples) >= request.row_cap:
                truncated = True
                continue
            triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
        self._refuse_cut(seen, self._cut_at(response), request.row_cap)
        return QueryAnswer("graph", GRAPH_MEDIA[gfmt],
                           ox.serialize(triples, format=_OX_GRAPH[gfmt]) or b"", truncated)

    def select(self, sparql: str) -> list[SelectRow]:
        return list(self.iter_select(sparql))

    def iter_select(self, sparql: str) -> Iterator[SelectRow]:
        """The rows of a SELECT query, decoded one at a time."""
        response = self._query(QueryRequest(sparql))
        parsed = parse_solutions(response.content)
        if isinstance(parsed, bool):
            raise QueryRejected("a SELECT query was expected")
        return self._rows(parsed, self._cut_at(response))

    def _rows(self, parsed: ox.QuerySolutions, cut: int | None) -> Iterator[SelectRow]:
        names = [v.value for v in parsed.variables]
        n = 0
        for s in parsed:
            n += 1
            yield {name: v for name in names if (v := s[name]) is not None}
        self._refuse_cut(n, cut)

    def ask(self, sparql: str) -> bool:
        parsed = parse_solutions(self._query(QueryRequest(sparql)).content)
        if not isinstance(parsed, bool):
            raise QueryRejected("an ASK query was expected")
        return parsed

    def named_graphs(self) -> list[str]:
        return named_graphs_from(self, grouped=True)

    def stats(self) -> StoreStats:
        return stats_from(self)

    def dump(self, path: Path) -> int:
        if path.suffix.lower() not in (".nq", ".nquads"):
            raise InvalidInput(f"{path}: a remote dump is written as N-Quads (.nq)")
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        quads = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]  # type: ignore[arg-type]
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
        tmp.replace(path)
        return len(quads)


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer in a W3C results format."""
    if fmt == "json":
        return b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}"
    if fmt == "xml":
        return (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                b"<head/><boolean>" + (b"true" if value else b"false") + b"</boolean></sparql>")
    return b"true\n" if value else b"false\n"


class RemoteStore(RemoteReader):
    """WriteStore over a SPARQL 1.1 update endpoint, and a Graph Store Protocol endpoint when
    one is configured (``COLLEX_REMOTE_GRAPH_STORE_URL``)."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        super().__init__(settings, session)
        if not settings.remote_update_url:
            raise InvalidInput("writing to a remote store needs COLLEX_REMOTE_UPDATE_URL")
        self.update_url = settings.remote_update_url
        self.graph_store_url = settings.remote_graph_store_url
        self.journal = journal_path(settings.store_dir)
        self.payload = self.journal.with_name(self.journal.name + ".nq")

    def reader(self) -> ReadStore:
        return RemoteReader(self.settings, self.session)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        if self.virtuoso:  # its ALL and NAMED hold its own graphs: ours are dropped instead
            sparql = expand_graph_sets(sparql, self.named_graphs)
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        url = self.update_url
        if self.oxigraph and not has_dataset_clause(sparql):
            url += ("&" if "?" in url else "?") + "using-union-graph"
        self._post(url, text.encode("utf-8"),
                   {"Content-Type": "application/sparql-update; charset=utf-8"}, "update")

    def replace_graphs(self, spool: QuadSpool) -> None:
        """One update request (drop and insert, atomic where the store runs a request as a
        transaction), or, with a Graph Store Protocol endpoint, a request per graph (``PUT``
        replaces a graph atomically; one larger than ``COLLEX_WRITE_BATCH_QUADS`` quads is
        ``PUT`` then ``POST``-ed in parts). The per-graph write keeps the spool as a journal's
        payload beside ``COLLEX_STORE_DIR`` first: killed or refused half way, it is
        completed by the next command that opens the store for writing."""
        from graph.embedded import _replace_update

        path = spool.close()
        if not spool.graphs:
            return
        if not self.graph_store_url:
            self.update("".join(_replace_update(path, list(spool.graphs))))
            return
        try:
            self.journal.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, self.payload)
            _write_json(self.journal, {"payload": self.payload.name,
                                       "graphs": list(spool.graphs), "started": time.time()})
        except OSError as exc:
            self.journal.unlink(missing_ok=True)
            self.payload.unlink(missing_ok=True)
            raise StoreUnavailable(f"the write could not start, nothing was changed: {exc}"
                                   ) from None
        try:
            self._put_graphs(self.payload, list(spool.graphs))
        except (StoreUnavailable, QueryRejected, QueryTimeout) as exc:
            raise StoreUnavailable(
                "the remote store refused part of the write; the next command that opens the"
                f" store for writing completes it from the journal ({self.journal}): {exc}"
            ) from None
        self.payload.unlink(missing_ok=True)
        self.journal.unlink(missing_ok=True)

    def check_layout(self) -> None:
        """Refuse a store whose query endpoint shows graphs that are not ours in its union
        default graph (a Virtuoso not set up as ``graph.virtuoso`` says): every count,
        statistic and dump would include them."""
        values = " ".join(f"<{g}>" for g in SYSTEM_GRAPHS)
        if self.ask(f"ASK {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"):
            raise InvalidInput(
                "the remote store's query endpoint shows Virtuoso's own graphs (virtrdf:...):"
                " hide them from it first (`python -m graph.virtuoso init DIR` writes the"
                " set-up script; README, \"A remote store\")")

    def complete_journal(self) -> bool:
        """Finish a per-graph write that was killed or refused half way (idempotent: every
        graph is put again whole). True when there was something to complete."""
        if not self.journal.exists():
            self.payload.unlink(missing_ok=True)
            return False
        try:
            entry = json.loads(self.journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entry = {}
        if not isinstance(entry, dict) or not self.payload.exists():
            self.journal.unlink(missing_ok=True)
            return False
        self._put_graphs(self.payload, [g for g in entry.get("graphs", []) if isinstance(g, str)])
        self.payload.unlink(missing_ok=True)
        self.journal.unlink(missing_ok=True)
        return True

    def _put_graphs(self, path: Path, graphs: list[str]) -> None:
        """Each graph of the N-Quads file ``path`` replaced through the Graph Store
        Protocol; the ``graphs`` the file holds no quad of are deleted."""
        started: set[str] = set()
        limit = max(1, self.settings.write_batch_quads)
        lines: list[str] = []
        current: str | None = None
        for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
            g = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            if g != current or len(lines) >= limit:
                self._send_graph(current, lines, started)
                lines, current = [], g
            lines.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
        self._send_graph(current, lines, started)
        for g in graphs:
            if g not in started:
                self._graph_request("DELETE", g, b"")

    def _send_graph(self, graph: str | None, lines: list[str], started: set[str]) -> None:
        if graph is None or not lines:
            return
        if not graph:
            raise InvalidInput("a remote write holds triples outside any named graph")
        self._graph_request("POST" if graph in started else "PUT", graph,
                            "".join(lines).encode("utf-8"))
        started.add(graph)

    def _graph_request(self, method: str, graph: str, body: bytes) -> None:
        assert self.graph_store_url is not None
        try:
            response = self.session.request(
                method, self.graph_store_url, params={"graph": graph}, data=body,
                headers={"Content-Type": "text/turtle; charset=utf-8"},
                timeout=(5, max(self.timeout, 300)))
        except requests.RequestException as exc:
            raise StoreUnavailable(f"the remote store cannot be reached: {exc}") from None
        if method == "DELETE" and response.status_code == 404:
            return  # not there: nothing to delete
        if response.status_code >= 300:
            raise StoreUnavailable(f"the remote store answered {response.status_code} to the"
                                   f" {method} of graph <{graph}>:"
                                   f" {response.text.strip()[:300]}")

    def drop_graphs(self, graphs: list[str]) -> None:
        if graphs:
            self.update("".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in graphs))

    def optimize(self) -> None:
        """The remote store manages its own storage."""

    def restore(self, path: Path) -> int:
        if self.graph_store_url:  # our graphs dropped (not DROP ALL: Virtuoso's own go too)
            self.drop_graphs(self.named_graphs())
            self._put_graphs(path, [])
            return sum(1 for _ in ox.parse(path=path))
        quads = list(ox.parse(path=path))
        buf = io.StringIO()
        buf.write("DROP ALL ;\nINSERT DATA {\n")
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                buf.write(f"{q.subject} {q.predicate} {q.object} .\n")
            else:
                buf.write(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}\n")
        buf.write("}\n")
        self.update(buf.getvalue())
        return len(quads)

    def backup(self, target: Path) -> None:
        raise InvalidInput("back up a remote store with its own tools (or `collex dump FILE.nq`)")

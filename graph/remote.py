"""A remote SPARQL 1.1 store (QLever, Virtuoso, GraphDB, Fuseki, `oxigraph serve`...) behind
the same interface as the embedded one, through the SPARQL 1.1 Protocol only.

- Queries are sent with the protocol's dataset parameters; answers are parsed and re-written
  by our serializers, so the row cap holds whatever the server does. The deadline is the HTTP
  timeout: past it the answer is 503 and our worker is free, but the remote server may keep
  computing unless it has its own timeout (configure one on the server).
- Writes are SPARQL updates. ``replace_graphs`` sends one update (drop + insert) so that a
  store that runs each update request as a transaction replaces all graphs atomically.
- Configure the remote store so that its default graph is the union of the named graphs
  (Oxigraph ``--union-default-graph``, Fuseki ``unionDefaultGraph``; Virtuoso and QLever do
  so by default), as the embedded store does.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import requests

from collex.errors import InvalidInput, QueryRejected, QueryTimeout, StoreUnavailable
from collex.settings import Settings
from graph.base import QueryAnswer, QueryRequest, ReadStore, SelectRow, StoreStats
from graph.common import named_graphs_from, stats_from
from graph.results import GRAPH_MEDIA, SOLUTION_MEDIA, serialize_rows
from graph.spool import QuadSpool

_OX_GRAPH = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
             "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
             "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}
_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, "
           "text/turtle;q=0.8")


class RemoteReader:
    """ReadStore over a SPARQL 1.1 query endpoint."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        if not settings.remote_query_url:
            raise InvalidInput("COLLEX_STORE=remote needs COLLEX_REMOTE_QUERY_URL")
        self.settings = settings
        self.query_url = settings.remote_query_url
        self.timeout = settings.query_timeout
        self.session = session or requests.Session()
        if settings.remote_auth == "basic":
            self.session.auth = (settings.remote_user or "", settings.remote_password or "")
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
        if response.status_code == 400:
            raise QueryRejected(f"the remote store rejected the {what} (syntax or unsupported"
                                f" feature): "
                                f"{response.text.strip()[:500]}")
        if response.status_code >= 300:
            raise StoreUnavailable(f"the remote store answered {response.status_code} to the"
                                   f" {what}: {response.text.strip()[:300]}")
        return response

    def _query(self, req: QueryRequest) -> requests.Response:
        data: dict[str, object] = {"query": req.sparql}
        if req.default_graphs:
            data["default-graph-uri"] = list(req.default_graphs)
        if req.named_graphs:
            data["named-graph-uri"] = list(req.named_graphs)
        return self._post(self.query_url, data, {"Accept": _ACCEPT}, "query")

    def run(self, request: QueryRequest) -> QueryAnswer:
        response = self._query(request)
        media = response.headers.get("content-type", "").split(";")[0].strip()
        body = response.content
        if media in ("application/sparql-results+json", "application/json"):
            parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
            fmt = request.solutions_format
            if fmt not in SOLUTION_MEDIA:
                raise QueryRejected("this SELECT/ASK answer is a result table: use one of "
                                    + ", ".join(SOLUTION_MEDIA))
            if isinstance(parsed, ox.QueryBoolean):
                return QueryAnswer("ask", SOLUTION_MEDIA[fmt], serialize_boolean(bool(parsed),
                                                                                 fmt))
            variables = [v.value for v in parsed.variables]
            rows: list[SelectRow] = []
            truncated = False
            for solution in parsed:
                if request.row_cap is not None and len(rows) >= request.row_cap:
                    truncated = True
                    break
                rows.append({n: v for n in variables if (v := solution[n]) is not None})
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
        for quad in ox.parse(body, rdf):
            if request.row_cap is not None and len(triples) >= request.row_cap:
                truncated = True
                break
            triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
        return QueryAnswer("graph", GRAPH_MEDIA[gfmt],
                           ox.serialize(triples, format=_OX_GRAPH[gfmt]) or b"", truncated)

    def select(self, sparql: str) -> list[SelectRow]:
        return list(self.iter_select(sparql))

    def iter_select(self, sparql: str) -> Iterator[SelectRow]:
        """The rows of a SELECT query, decoded one at a time."""
        parsed = ox.parse_query_results(self._query(QueryRequest(sparql)).content,
                                        ox.QueryResultsFormat.JSON)
        if not isinstance(parsed, ox.QuerySolutions):
            raise QueryRejected("a SELECT query was expected")
        names = [v.value for v in parsed.variables]
        return ({n: v for n in names if (v := s[n]) is not None} for s in parsed)

    def ask(self, sparql: str) -> bool:
        parsed = ox.parse_query_results(self._query(QueryRequest(sparql)).content,
                                        ox.QueryResultsFormat.JSON)
        if not isinstance(parsed, ox.QueryBoolean):
            raise QueryRejected("an ASK query was expected")
        return bool(parsed)

    def named_graphs(self) -> list[str]:
        return named_graphs_from(self)

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
    """WriteStore over a SPARQL 1.1 update endpoint."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        super().__init__(settings, session)
        if not settings.remote_update_url:
            raise InvalidInput("writing to a remote store needs COLLEX_REMOTE_UPDATE_URL")
        self.update_url = settings.remote_update_url

    def reader(self) -> ReadStore:
        return RemoteReader(self.settings, self.session)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        self._post(self.update_url, text.encode("utf-8"),
                   {"Content-Type": "application/sparql-update; charset=utf-8"}, "update")

    def replace_graphs(self, spool: QuadSpool) -> None:
        from graph.embedded import _replace_update

        path = spool.close()
        if spool.graphs:
            self.update("".join(_replace_update(path, list(spool.graphs))))

    def drop_graphs(self, graphs: list[str]) -> None:
        if graphs:
            self.update("".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in graphs))

    def optimize(self) -> None:
        """The remote store manages its own storage."""

    def restore(self, path: Path) -> int:
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

"""Running one query on an open pyoxigraph store and serializing its answer, with a row cap.

SELECT answers are cut at ``row_cap`` rows and written by the serializers below (JSON, XML,
CSV, TSV as the W3C result formats specify); graph answers are cut at ``row_cap`` triples.
Used in-process by the CLI and inside the query worker processes of the server.

>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("a,b"),
...                   ox.NamedNode("http://g")))
>>> a = run_query(store, QueryRequest("SELECT ?o WHERE { ?s ?p ?o }"))
>>> a.body, a.truncated
(b'o\\r\\n"a,b"\\r\\n', False)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from xml.sax.saxutils import escape as _xml_escape  # noqa: TID251 - escaping only, no parsing

import pyoxigraph as ox

from graph.anchored_paths import anchor
from graph.base import QueryAnswer, QueryRequest, SelectRow, Term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# result format key -> media type
SOLUTION_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_MEDIA = {
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
}
_BOOLEAN_FORMATS = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}


class SparqlSyntaxError(Exception):
    """The store could not parse the query or update."""


class WrongFormat(Exception):
    """The requested format does not apply to this kind of answer."""


def execute(store: ox.Store, req: QueryRequest, anchor_paths: bool = False,
            ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Evaluate with the protocol's dataset, or the union of all graphs by default.
    ``anchor_paths`` (only on a store that cannot change meanwhile: a read-only snapshot):
    paths from a bound end are evaluated first (``graph.anchored_paths``)."""
    kwargs: dict[str, object] = {}
    if req.default_graphs or req.named_graphs or not req.union_default:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs] or (
            ox.DefaultGraph())
        if req.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if anchor_paths:
        rewritten = anchor(store, req.sparql, kwargs, req.base_iri)
        if rewritten is not None:
            try:
                return store.query(rewritten, base_iri=req.base_iri, **kwargs)  # type: ignore[arg-type]
            except SyntaxError:
                pass  # the query as written says what is wrong with it
    try:
        return store.query(req.sparql, base_iri=req.base_iri, **kwargs)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise SparqlSyntaxError(syntax_message(exc)) from None


def syntax_message(exc: SyntaxError) -> str:
    """Oxigraph's syntax error in one readable line: its list of the characters it expected
    (dozens of Unicode ranges over several lines) is left out.

    >>> syntax_message(SyntaxError("error at 1:28: expected one of Prefix not found,"
    ...                            " ['%'], ['-' | '0' ..= '9']"))
    'SPARQL syntax error at 1:28: a prefix is used without its PREFIX declaration'
    """
    text = " ".join(str(exc).split())
    m = re.match(r"error at (\d+:\d+): (.*)", text)
    where, what = (f" at {m.group(1)}", m.group(2)) if m else ("", text)
    if "Prefix not found" in what:
        what = "a prefix is used without its PREFIX declaration"
    elif "expected one of" in what:
        shown = what.split("expected one of", 1)[1].split(", [", 1)[0].strip(" ,")
        what = f"unexpected text{f' (expected {shown})' if shown else ''}"
    return f"SPARQL syntax error{where}: {what[:300]}"


def run_query(store: ox.Store, req: QueryRequest, anchor_paths: bool = False) -> QueryAnswer:
    """Execute and serialize, cutting at ``row_cap``."""
    result = execute(store, req, anchor_paths)
    if isinstance(result, ox.QueryTriples):
        gfmt = req.graph_format
        if gfmt not in _GRAPH_FORMATS:
            raise WrongFormat("this CONSTRUCT/DESCRIBE answer is a graph: use one of "
                              + ", ".join(GRAPH_MEDIA))
        triples, truncated = _take(result, req.row_cap)
        body = ox.serialize(triples, format=_GRAPH_FORMATS[gfmt]) or b""
        return QueryAnswer("graph", GRAPH_MEDIA[gfmt], body, truncated)
    fmt = req.solutions_format
    if fmt not in SOLUTION_MEDIA:
        raise WrongFormat("this SELECT/ASK answer is a result table: use one of "
                          + ", ".join(SOLUTION_MEDIA))
    if isinstance(result, ox.QueryBoolean):
        body = result.serialize(format=_BOOLEAN_FORMATS[fmt]) or b""
        return QueryAnswer("ask", SOLUTION_MEDIA[fmt], body)
    variables = [v.value for v in result.variables]
    solutions, truncated = _take(result, req.row_cap)
    return QueryAnswer("select", SOLUTION_MEDIA[fmt],
                       serialize_values(variables, [tuple(s) for s in solutions], fmt),
                       truncated)


def _take(items: Iterable[object], cap: int | None) -> tuple[list[ox.Triple], bool]:
    out: list[object] = []
    for item in items:
        if cap is not None and len(out) >= cap:
            return out, True  # type: ignore[return-value]
        out.append(item)
    return out, False  # type: ignore[return-value]


def serialize_rows(variables: list[str], rows: list[SelectRow], fmt: str) -> bytes:
    """SELECT rows in a W3C results format (json, xml, csv, tsv)."""
    return serialize_values(variables, [tuple(row.get(v) for v in variables) for row in rows],
                            fmt)


def serialize_values(variables: list[str], rows: Sequence[Sequence[Term | None]], fmt: str
                     ) -> bytes:
    """Rows given as values in the order of ``variables`` (None when unbound).

    Each distinct term is written once and its text reused: answers repeat terms a lot
    (the same holder, the same predicate), and writing terms is most of the cost.
    """
    writer = _TERM_WRITERS.get(fmt)
    if writer is None:
        raise WrongFormat(f"unknown result format {fmt!r}")
    cache: dict[Term, str] = {}

    def text(t: Term) -> str:
        out = cache.get(t)
        if out is None:
            out = cache[t] = writer(t)
        return out

    if fmt == "json":
        keys = [json.dumps(v, ensure_ascii=False) + ":" for v in variables]
        body = ",".join(
            "{" + ",".join(k + text(t) for k, t in zip(keys, row, strict=True) if t is not None)
            + "}" for row in rows)
        return ('{"head":{"vars":' + json.dumps(variables, ensure_ascii=False)
                + '},"results":{"bindings":[' + body + "]}}").encode("utf-8")
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                 "<head>"]
        parts += [f'<variable name="{v}"/>' for v in variables]
        parts.append("</head><results>")
        opens = [f'<binding name="{v}">' for v in variables]
        for row in rows:
            parts.append("<result>")
            parts += [o + text(t) + "</binding>" for o, t in zip(opens, row, strict=True)
                      if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode("utf-8")
    if fmt == "csv":
        lines = [",".join(variables)]
        lines += [",".join(text(t) if t is not None else "" for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(text(t) if t is not None else "" for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _json_term(t: Term) -> dict[str, object]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(t.subject),
                                        "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


def _xml_term(t: Term) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f'<literal xml:lang="{t.language}">{_xml_escape(t.value)}</literal>'
        if t.datatype.value != XSD_STRING:
            return (f'<literal datatype="{_xml_escape(t.datatype.value)}">'
                    f"{_xml_escape(t.value)}</literal>")
        return f"<literal>{_xml_escape(t.value)}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>"
            f"{_xml_term(t.predicate)}</predicate><object>{_xml_term(t.object)}</object></triple>")


def _csv_term(t: Term | None) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        text = f"_:{t.value}"
    elif isinstance(t, ox.NamedNode | ox.Literal):
        text = t.value
    else:
        text = str(t)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _json_text(t: Term) -> str:
    return json.dumps(_json_term(t), ensure_ascii=False, separators=(",", ":"))


_TERM_WRITERS: dict[str, Callable[[Term], str]] = {
    "json": _json_text, "xml": _xml_term, "csv": _csv_term, "tsv": str,
}

"""Reading the W3C SPARQL 1.1 protocol manifests (not retyped) into runnable requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: set[str]  # e.g. {"2xx", "3xx"} or {"201"}
    expected_format: str | None
    expected_boolean: bool | None
    expected_location: str | None = None
    expected_body: str | None = None
    expected_content_type: str | None = None


@dataclass
class ProtocolTest:
    name: str
    title: str
    graph_data: list[tuple[Path, str]] = field(default_factory=list)
    requests: list[HttpRequest] = field(default_factory=list)


def _status(node: object) -> str:
    text = str(node).rsplit("#", 1)[-1]
    if text.startswith("StatusCode") and text.endswith("xx"):
        return text[len("StatusCode"):]
    codes = {"OK": "200", "Created": "201", "NoContent": "204", "NotFound": "404",
             "BadRequest": "400"}
    return codes.get(text, text)


def load_manifest(path: Path) -> list[ProtocolTest]:
    g = Graph().parse(path, format="turtle", publicID=path.as_uri())
    tests: list[ProtocolTest] = []
    for manifest in g.subjects(RDF.type, MF.Manifest):
        entries = g.value(manifest, MF.entries)
        if entries is None:
            continue
        for test in Collection(g, entries):
            assert isinstance(test, URIRef)
            item = ProtocolTest(str(test).rsplit("#", 1)[-1], str(g.value(test, MF.name)))
            for gd in g.objects(test, UT.graphData):
                item.graph_data.append((Path(str(g.value(gd, UT.graph)).removeprefix("file://")),
                                        str(g.value(gd, RDFS.label))))
            action = g.value(test, MF.action)
            for req in Collection(g, g.value(action, HT.requests)):
                headers = {}
                hnode = g.value(req, HT.headers)
                if hnode is not None:
                    for h in Collection(g, hnode):
                        headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
                body_node = g.value(req, HT.body)
                body = None
                if body_node is not None:
                    chars = g.value(body_node, CNT.chars)
                    body = str(chars).encode("utf-8") if chars is not None else b""
                resp = g.value(req, HT.resp)
                fmt = g.value(resp, MF.expectedFormat)
                boolean = g.value(resp, MF.expectedBoolean)
                rheaders = g.value(resp, HT.headers)
                ctype = None
                if rheaders is not None:
                    for h in Collection(g, rheaders):
                        if str(g.value(h, HT.fieldName)).lower() == "content-type":
                            ctype = str(g.value(h, HT.fieldValue))
                rbody = g.value(resp, HT.body)
                item.requests.append(HttpRequest(
                    method=str(g.value(req, HT.methodName)),
                    path=str(g.value(req, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    expected_status={_status(s) for s in g.objects(resp, MF.expectedStatus)},
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=bool(boolean.toPython()) if boolean is not None else None,
                    expected_location=(str(g.value(resp, MF.expectedLocation))
                                       if g.value(resp, MF.expectedLocation) else None),
                    expected_body=(str(g.value(rbody, CNT.chars))
                                   if rbody is not None and g.value(rbody, CNT.chars) else None),
                    expected_content_type=ctype,
                ))
            tests.append(item)
    return tests


def status_matches(code: int, expected: set[str]) -> bool:
    return any(
        (e.endswith("xx") and code // 100 == int(e[0])) or e == str(code) for e in expected
    )

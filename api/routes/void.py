"""VoID description of the dataset at ``/.well-known/void`` (RFC 5785 well-known URI that the
VoID specification reserves): size, classes, graphs by source, and link sets to the authority
files we point to (IdRef, BnF, VIAF, ISNI, Wikidata, Archives nationales)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_reader, get_settings
from api.dumps import FILES as DUMP_FILES
from api.dumps import Dumps, dumps_dir
from api.rdfout import rdf_response
from api.views import view
from collex.errors import Busy
from collex.settings import Settings
from graph.base import ReadStore

router = APIRouter()

LINK_TARGETS = {
    "idref": ("IdRef", "http://www.idref.fr/"),
    "bnf": ("BnF (data.bnf.fr)", "http://data.bnf.fr/"),
    "viaf": ("VIAF", "http://viaf.org/"),
    "isni": ("ISNI", "https://isni.org/"),
    "wikidata": ("Wikidata", "http://www.wikidata.org/entity/"),
    "fran": ("Archives nationales", "https://rdf.archives-nationales.culture.gouv.fr/"),
}
MAX_LISTED_GRAPHS = 1000


def _num(row: Mapping[str, object], key: str) -> int:
    return int(str(getattr(row.get(key), "value", 0)))


def _head(settings: Settings, endpoint: str, counts: list[str]) -> list[str]:
    """The dataset's description (``counts``: its size statements), and its dumps."""
    base = settings.base_iri
    lines = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{base}void> a void:Dataset ;",
        '  dcterms:title "Graphe de connaissances CollEx"@fr , "CollEx knowledge graph"@en ;',
        '  dcterms:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence/> ;',
        f"  void:sparqlEndpoint <{endpoint}> ;",
        f"  void:uriSpace \"{base}id/\" ;",
        *counts,
        "  void:vocabulary <https://w3id.org/collex/def#> .",
    ]
    if settings.dumps or Dumps(dumps_dir(settings), base).current() is not None:
        # stable URLs (api/dumps.py), the site's address put in per request
        lines += [f"<{base}void> void:dataDump <{DUMPS}{name}> ." for name in DUMP_FILES]
    return lines


def provisional_void(settings: Settings, endpoint: str) -> str:
    """The VoID document while its statistics are computed (after a start, under load): the
    dataset, its endpoint, vocabulary and dumps, without counts or link sets."""
    return ("# The statistics of this dataset are being computed; ask again shortly.\n"
            + "\n".join(_head(settings, endpoint, [])) + "\n")


def build_void(reader: ReadStore, settings: Settings, endpoint: str) -> str:
    """The VoID document as Turtle."""
    base = settings.base_iri
    stats = reader.stats()
    by_source: dict[str, tuple[int, int]] = {}
    for graph, n in stats.triples_per_graph.items():
        rest = graph.removeprefix(f"{base}graph/")
        source = rest.split("/", 1)[0] if rest != graph else "other"
        graphs, triples = by_source.get(source, (0, 0))
        by_source[source] = (graphs + 1, triples + n)
    lines = _head(settings, endpoint, [f"  void:triples {stats.triples} ;",
                                       f"  void:classes {len(stats.resources_per_class)} ;"])
    for i, (cls, n) in enumerate(sorted(stats.resources_per_class.items())):
        lines.append(f"<{base}void> void:classPartition <{base}void#class-{i}> .")
        lines.append(f"<{base}void#class-{i}> void:class <{cls}> ; void:entities {n} .")
    for source, (graphs, triples) in sorted(by_source.items()):
        node = f"<{base}void#source-{source}>"
        lines.append(f"<{base}void> void:subset {node} .")
        lines.append(f'{node} a void:Dataset ; dcterms:title "{source} sources" ;'
                     f" void:triples {triples} ; void:documents {graphs} .")
    for graph, n in list(stats.triples_per_graph.items())[:MAX_LISTED_GRAPHS]:
        rest = graph.removeprefix(f"{base}graph/")
        source = rest.split("/", 1)[0] if rest != graph else "other"
        lines.append(f"<{base}void#source-{source}> void:subset <{graph}> .")
        lines.append(f"<{graph}> a void:Dataset ; void:triples {n} .")
    # the link sets in one pass over the store (one scan per target was six)
    targets = " ".join(f'("{key}" "{ns}")' for key, (_, ns) in LINK_TARGETS.items())
    counts = {str(getattr(r.get("key"), "value", "")): r for r in reader.select(
        "SELECT ?key (COUNT(*) AS ?n) (COUNT(DISTINCT ?o) AS ?targets) WHERE { ?s ?p ?o "
        f"FILTER(isIRI(?o)) VALUES (?key ?ns) {{ {targets} }} FILTER(STRSTARTS(STR(?o), ?ns))"
        " } GROUP BY ?key")}
    for key, (title, ns) in LINK_TARGETS.items():
        row = counts.get(key, {})
        if row and _num(row, "n"):
            node = f"<{base}void#links-{key}>"
            lines.append(f"<{base}void> void:subset {node} .")
            lines.append(f'{node} a void:Linkset ; dcterms:title "Links to {title}" ;'
                         f" void:subjectsTarget <{base}void> ; void:objectsTarget"
                         f' [ a void:Dataset ; void:uriSpace "{ns}" ] ;'
                         f" void:triples {_num(row, 'n')} ; void:distinctObjects"
                         f" {_num(row, 'targets')} .")
    return "\n".join(lines) + "\n"


@router.get("/void", summary="The dataset's own IRI ({base}void): its VoID description",
            tags=["sparql"], response_class=Response, name="void_dataset",
            responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}}}})
@router.get("/.well-known/void", summary="VoID description of the dataset",
            tags=["sparql"], response_class=Response,
            responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}}}})
async def void(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """Counts per class and per named graph, and link sets to IdRef, BnF, VIAF..."""
    endpoint = str(request.url_for("sparql_get"))
    provisional = False
    try:  # built with ENDPOINT; while it is first computed, a description without counts
        turtle: str = await run_in_threadpool(view, request, "void", PROVISIONAL_AFTER)
    except Busy:
        turtle, provisional = provisional_void(settings, ENDPOINT), True
    turtle = turtle.replace(f"<{DUMPS}", f"<{request.base_url}dumps/")
    response = rdf_response(request, turtle.replace(f"<{ENDPOINT}>", f"<{endpoint}>"),
                            title="Description VoID du jeu de données / VoID description")
    if provisional:  # not to be kept by a cache: the counts come with the next answers
        response.headers["Cache-Control"] = "no-store"
    return response


PROVISIONAL_AFTER = 5.0  # seconds a request waits for the first statistics


ENDPOINT = "urn:collex:sparql-endpoint"
DUMPS = "urn:collex:dumps/"  # replaced per request: one document for any Host

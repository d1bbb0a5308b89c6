"""The query page for people: a SPARQL editor (YASGUI when installed, a built-in editor
otherwise) and a gallery of example queries answering researchers' questions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.pages import templates

router = APIRouter()
STATIC = Path(__file__).resolve().parent.parent / "static"

_PREFIXES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcmitype: <http://purl.org/dc/dcmitype/>
PREFIX rico: <https://www.ica.org/standards/RiC/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX collex: <https://w3id.org/collex/def#>
"""


class Example(BaseModel):
    id: str = Field(description="Stable identifier")
    title_fr: str = Field(description="Question, in French")
    title_en: str = Field(description="Question, in English")
    query: str = Field(description="The SPARQL query")


GALLERY: list[Example] = [
    Example(id="subject", title_fr="Collections sur un sujet RAMEAU (et ses sujets plus précis)",
            title_en="Collections about a RAMEAU subject (and narrower subjects)",
            query=_PREFIXES + """
# Géopolitique : http://www.idref.fr/027732428/id
SELECT ?collection ?title ?holderName WHERE {
  ?subject (skos:broader|^skos:narrower)* <http://www.idref.fr/027732428/id> .
  ?collection a dcmitype:Collection ; dcterms:subject ?subject ; dcterms:title ?title .
  OPTIONAL { ?collection rico:hasOrHadHolder/foaf:name ?holderName }
}
ORDER BY ?title"""),
    Example(id="holder", title_fr="Collections détenues par un établissement (ISIL)",
            title_en="Collections held by an institution (ISIL)",
            query=_PREFIXES + """
SELECT ?collection ?title ?extent WHERE {
  ?holder collex:isil "FR-751052116" .
  ?collection rico:hasOrHadHolder ?holder ; dcterms:title ?title .
  OPTIONAL { ?collection dcterms:extent ?extent }
}
ORDER BY ?title"""),
    Example(id="period", title_fr="Collections couvrant une période (ici le XIXe siècle)",
            title_en="Collections covering a period (here the 19th century)",
            query=_PREFIXES + """
SELECT ?collection ?title ?start ?end WHERE {
  ?collection a dcmitype:Collection ; dcterms:title ?title ; dcterms:temporal ?period .
  ?period dcat:startDate ?start ; dcat:endDate ?end .
  FILTER(?start <= "1900-12-31"^^<http://www.w3.org/2001/XMLSchema#date>
         && ?end >= "1801-01-01"^^<http://www.w3.org/2001/XMLSchema#date>)
}
ORDER BY ?start"""),
    Example(id="person", title_fr="Collections liées à une personne (producteur ou sujet)",
            title_en="Collections linked to a person (creator or subject)",
            query=_PREFIXES + """
# Gaston Paris : http://www.idref.fr/027058352/id
SELECT ?collection ?title ?relation WHERE {
  VALUES ?relation { dcterms:creator dcterms:subject }
  ?collection ?relation <http://www.idref.fr/027058352/id> ; dcterms:title ?title .
}"""),
    Example(id="network", title_fr="Collections d'un réseau thématique, CollEx ou tierces",
            title_en="Collections in a thematic network, CollEx or third-party",
            query=_PREFIXES + """
SELECT ?network ?networkName ?member ?title WHERE {
  ?network a collex:ThematicNetwork ; collex:hasMember ?member .
  OPTIONAL { ?network foaf:name ?networkName }
  OPTIONAL { ?member dcterms:title ?title }
}
ORDER BY ?networkName ?title"""),
    Example(id="subject-networks",
            title_fr="Réseaux thématiques dont des membres traitent d'un sujet (ou d'un sujet plus"
                     " précis)",
            title_en="Thematic networks with members about a subject (or a narrower one)",
            query=_PREFIXES + """
SELECT ?network ?name ?member ?title WHERE {
  ?about (skos:broader|^skos:narrower)* <http://www.idref.fr/027732428/id> .
  ?member dcterms:subject ?about .
  ?network a collex:ThematicNetwork ; collex:hasMember ?member ; foaf:name ?name .
  OPTIONAL { ?member dcterms:title ?title }
}
ORDER BY ?name ?title"""),
    Example(id="related", title_fr="Collections apparentées, avec la raison",
            title_en="Related collections, with the reason",
            query=_PREFIXES + """
SELECT ?a ?b ?score ?why WHERE {
  ?r a collex:Relatedness ; collex:relates ?a, ?b ; collex:score ?score ;
     collex:explanation ?why .
  FILTER(STR(?a) < STR(?b))
}
ORDER BY DESC(?score)
LIMIT 50"""),
    Example(id="per-institution", title_fr="Nombre de collections par établissement",
            title_en="Number of collections per institution",
            query=_PREFIXES + """
SELECT ?holderName (COUNT(?collection) AS ?collections) WHERE {
  ?collection a dcmitype:Collection ; rico:hasOrHadHolder/foaf:name ?holderName .
}
GROUP BY ?holderName
ORDER BY DESC(?collections)"""),
    Example(id="iiif", title_fr="Collections numérisées (manifestes IIIF)",
            title_en="Digitised collections (IIIF manifests)",
            query=_PREFIXES + """
SELECT ?collection ?title ?manifest WHERE {
  ?collection collex:iiifManifest ?manifest ; dcterms:title ?title .
}"""),
]


@router.get("/api/examples", response_model=list[Example], tags=["sparql"],
            summary="Example SPARQL queries for researchers")
def examples() -> list[Example]:
    """The gallery shown on the query page."""
    return GALLERY


@router.get("/query", response_class=HTMLResponse, tags=["pages"],
            summary="SPARQL query page with example queries")
def query_page(
    request: Request,
    query: Annotated[str | None, Query(max_length=100_000,
                                       description="A query to show and run")] = None,
    editor: Annotated[Literal["auto", "builtin"], Query(
        description="auto: YASGUI when installed; builtin: the light built-in editor")] = "auto",
) -> HTMLResponse:
    """An editor with result tables, French first. ``?query=...`` (a shared link, or
    ``/sparql?query=...`` opened in a browser) shows that query and runs it."""
    yasgui = editor == "auto" and (STATIC / "vendor" / "yasgui" / "yasgui.min.js").exists()
    shared = query
    return templates.TemplateResponse(request, "query.html", {
        "gallery": GALLERY, "yasgui": yasgui, "shared": shared,
        "initial": shared if shared is not None else GALLERY[0].query})

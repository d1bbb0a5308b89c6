"""Our ontology (``collex.ttl``), the namespaces we use, and where the files are.

The ``collex:`` namespace is fixed (it does not change with the deployment's base IRI).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import Namespace, URIRef

COLLEX = Namespace("https://w3id.org/collex/def#")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
RICO = Namespace("https://www.ica.org/standards/RiC/ontology#")
RST = Namespace("https://www.ica.org/standards/RiC/vocabularies/recordSetTypes#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
IIIF = Namespace("http://iiif.io/api/presentation/3#")
ISO639 = Namespace("http://id.loc.gov/vocabulary/iso639-2/")
SCHEMA = Namespace("https://schema.org/")



class Cached:
    """A namespace whose terms are built once: ``Cached(DCTERMS).title``.

    rdflib builds (and validates) a new URIRef on every attribute access of a namespace, a
    measurable cost when a load adds millions of triples. The first access of a term goes
    through the wrapped namespace (a closed namespace still refuses a misspelt term); later
    ones are plain attribute reads.

    >>> from rdflib.namespace import DCTERMS
    >>> terms = Cached(DCTERMS)
    >>> terms.title is terms.title, terms.title == DCTERMS.title, terms["subject"]
    (True, True, rdflib.term.URIRef('http://purl.org/dc/terms/subject'))
    """

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = URIRef(getattr(self._namespace, name))
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = URIRef(self._namespace[name])
        return term

    def __str__(self) -> str:
        return str(self._namespace)


PREFIXES: dict[str, str] = {
    "collex": str(COLLEX),
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": str(DCMITYPE),
    "rico": str(RICO),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": str(PROV),
    "dcat": str(DCAT),
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": str(SCHEMA),
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def disciplines_path() -> Path:
    """Path of the disciplines SKOS scheme ``disciplines.ttl``."""
    return Path(str(resources.files("ontology").joinpath("disciplines.ttl")))


def territories_path() -> Path:
    """Path of ``territories.json``: INSEE regions and departments with their outlines."""
    return Path(str(resources.files("ontology").joinpath("territories.json")))


def ontology_path() -> Path:
    """Path of ``collex.ttl`` (works installed or from a checkout)."""
    return Path(str(resources.files("ontology").joinpath("collex.ttl")))

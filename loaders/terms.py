"""The namespaces the converters write, each term built once (see ``ontology.Cached``).

rdflib builds and validates a new URIRef on every attribute access of a namespace; the
converters add millions of triples, so they take their terms from here.
"""

from __future__ import annotations

from rdflib import namespace as _rdfns

import ontology as _onto
from ontology import Cached

DCTERMS = Cached(_rdfns.DCTERMS)
FOAF = Cached(_rdfns.FOAF)
OWL = Cached(_rdfns.OWL)
RDF = Cached(_rdfns.RDF)
RDFS = Cached(_rdfns.RDFS)
SKOS = Cached(_rdfns.SKOS)
XSD = Cached(_rdfns.XSD)
COLLEX = Cached(_onto.COLLEX)
DCAT = Cached(_onto.DCAT)
DCMITYPE = Cached(_onto.DCMITYPE)
IIIF = Cached(_onto.IIIF)
ISO639 = Cached(_onto.ISO639)
PROV = Cached(_onto.PROV)
RICO = Cached(_onto.RICO)
RST = Cached(_onto.RST)
SCHEMA = Cached(_onto.SCHEMA)

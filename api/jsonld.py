"""Compact JSON-LD with the service's published, versioned ``@context``.

The engine writes JSON-LD expanded (every property a full IRI, every value an object). Readers
of JSON want short keys: the answers of ``/id/...`` are compacted against the context served
at ``/ns/context-v1.jsonld`` and name it by URL, so a JSON-LD processor expands them back to
the same triples (tested with rdflib). The context's version is in its URL: a change that
would give a document another meaning gets a new URL, the old one stays.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph

from ontology import PREFIXES

CONTEXT_PATH = "/ns/context-v1.jsonld"


def context() -> dict[str, Any]:
    """The context: the vocabularies' prefixes, and ``id``/``type`` for ``@id``/``@type``."""
    return {"@context": {"@version": 1.1, "id": "@id", "type": "@type", **PREFIXES}}


def compact(ntriples: bytes, context_url: str) -> bytes:
    """``ntriples`` as compact JSON-LD whose ``@context`` is ``context_url``."""
    graph = Graph()
    graph.parse(data=ntriples.decode("utf-8"), format="nt")
    inline = context()["@context"]
    document = json.loads(graph.serialize(format="json-ld", context=inline, auto_compact=True))
    if isinstance(document, dict):
        document["@context"] = context_url
    else:  # a bare list of nodes
        document = {"@context": context_url, "@graph": document}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")

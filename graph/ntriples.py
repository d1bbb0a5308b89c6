"""Writing RDF terms as N-Triples / N-Quads text, with the escapes the grammar requires.

>>> from rdflib import Literal, URIRef
>>> term(Literal('ligne 1\\nligne "2"', lang="fr"))
'"ligne 1\\\\nligne \\\\"2\\\\""@fr'
>>> term(URIRef("http://www.idref.fr/027182800/id"))
'<http://www.idref.fr/027182800/id>'
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def term(node: Node) -> str:
    """The N-Triples form of an rdflib term."""
    if type(node) is URIRef or isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = '"' + str(node).translate(_ESCAPES) + '"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype and node.datatype != XSD.string:
            return f"{text}^^<{node.datatype}>"
        return text
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")

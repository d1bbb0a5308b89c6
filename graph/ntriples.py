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


_XSD_STRING = XSD.string


def term(node: Node) -> str:
    """The N-Triples form of an rdflib term."""
    kind = type(node)
    if kind is URIRef:
        return f"<{node}>"
    if kind is Literal or isinstance(node, Literal):
        assert isinstance(node, Literal)
        text = str(node)
        if '"' in text or "\\" in text or "\n" in text or "\r" in text:
            text = text.translate(_ESCAPES)
        lang = node.language
        if lang:
            return f'"{text}"@{lang}'
        datatype = node.datatype
        if datatype is not None and datatype != _XSD_STRING:
            return f'"{text}"^^<{datatype}>'
        return f'"{text}"'
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")

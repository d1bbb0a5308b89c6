"""Content negotiation with q-values (RFC 9110 §12.5.1).

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", SOLUTIONS)
'json'
>>> negotiate("text/*;q=0.9, */*;q=0.1", GRAPHS)
'turtle'
>>> negotiate("image/png", SOLUTIONS) is None
True
"""

from __future__ import annotations

SOLUTIONS: list[tuple[str, str]] = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
]
GRAPHS: list[tuple[str, str]] = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
    ("application/ld+json", "jsonld"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
    ("application/x-turtle", "turtle"),
    ("text/plain", "ntriples"),
    ("application/xml", "rdfxml"),
    ("application/json", "jsonld"),
]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values; an absent header accepts everything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    out: list[tuple[str, float]] = []
    for part in header.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        q = 1.0
        for p in params:
            name, _, value = p.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media.lower(), q))
    return out


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    kind = offer.split("/")[0]
    best_spec, best_q = -1, 0.0
    for media, q in ranges:
        if media == offer:
            spec = 2
        elif media == f"{kind}/*":
            spec = 1
        elif media == "*/*":
            spec = 0
        else:
            continue
        if spec > best_spec:
            best_spec, best_q = spec, q
    return best_q


def negotiate(header: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The key of the best offer the client accepts (q > 0), in offer order on ties."""
    ranges = parse_accept(header)
    best: tuple[float, str | None] = (0.0, None)
    for media, key in offers:
        q = _quality(media, ranges)
        if q > best[0]:
            best = (q, key)
    return best[1]

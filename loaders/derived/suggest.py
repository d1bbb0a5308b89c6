"""Network growth suggestions: collections not yet in a network that are strongly related to
its members, with the reason. Deterministic: same data, same output."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from collex.errors import NotFound
from graph.base import ReadStore


@dataclass
class Suggestion:
    collection: str
    title: str
    holder: str
    score: float
    reasons: list[tuple[str, float, str]] = field(default_factory=list)  # member, score, why


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def suggest_members(reader: ReadStore, base: str, network: str,
                    limit: int = 10) -> tuple[str, list[Suggestion]]:
    """(network name, suggestions sorted by total relatedness to the members)."""
    iri = network if network.startswith("http") else f"{base}id/network/{network}"
    names = reader.select(f"SELECT ?n WHERE {{ <{iri}> a <https://w3id.org/collex/def#"
                          "ThematicNetwork> OPTIONAL { <" + iri + "> "
                          "<http://xmlns.com/foaf/0.1/name> ?n } }")
    if not names:
        raise NotFound(f"no thematic network {network!r} is loaded")
    rows = reader.select(f"""
        PREFIX collex: <https://w3id.org/collex/def#>
        SELECT ?cand ?member ?score ?why ?title ?holder WHERE {{
          <{iri}> collex:hasMember ?member .
          ?rel a collex:Relatedness ; collex:relates ?member, ?cand ;
               collex:score ?score ; collex:explanation ?why .
          FILTER(?cand != ?member)
          FILTER NOT EXISTS {{ <{iri}> collex:hasMember ?cand }}
          OPTIONAL {{ ?cand <http://purl.org/dc/terms/title> ?title }}
          OPTIONAL {{ ?cand <https://www.ica.org/standards/RiC/ontology#hasOrHadHolder>/
                            <http://xmlns.com/foaf/0.1/name> ?holder }}
        }}""")
    found: dict[str, Suggestion] = {}
    for r in rows:
        cand = _v(r, "cand")
        s = found.setdefault(cand, Suggestion(cand, _v(r, "title"), _v(r, "holder"), 0.0))
        if all(m != _v(r, "member") for m, _, _ in s.reasons):
            s.reasons.append((_v(r, "member"), float(_v(r, "score")), _v(r, "why")))
    for s in found.values():
        s.reasons.sort(key=lambda t: (-t[1], t[0]))
        s.score = round(sum(score for _, score, _ in s.reasons), 2)
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.collection))[:limit]
    return _v(names[0], "n") or iri, ranked

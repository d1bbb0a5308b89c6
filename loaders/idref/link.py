"""Linking report and IdRef alignment candidates.

- Link rate per institution: the share of a holder's access points (subjects, creators,
  places, genres) that are IdRef entities, and the share of those whose IdRef record is loaded.
- Unresolved PPNs: cited but without a loaded record (``collex enrich idref`` fetches them).
- Alignment candidates for names without any authority link: normalised label match against
  loaded IdRef entities (prefLabel and altLabel; accents, case, punctuation and the order of
  names ignored; dates in the label used to confirm or rule out), with a score. Candidates live
  in their own named graph, ``{base}graph/alignment/idref``, and in a CSV for curators; they are
  never asserted as links.

Scoring: same words in the same order 0.9, same words in another order ("Gaston Paris" /
"Paris, Gaston") 0.8; +0.1 when the years in both labels agree, -0.4 when they disagree;
the kinds must agree (person, organisation, family, place, subject). Candidates under 0.5 are
dropped; at most 3 per name.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from collex.settings import Settings
from graph.base import WriteStore
from graph.spool import QuadSpool
from loaders.idref.enrich import missing_ppns
from loaders.text import spreadsheet_row
from ontology import COLLEX

ACCESS_PROPERTIES = [
    "http://purl.org/dc/terms/subject", "http://purl.org/dc/terms/creator",
    "http://purl.org/dc/terms/spatial", "http://purl.org/dc/terms/type",
    "https://www.ica.org/standards/RiC/ontology#hasOrganicProvenance",
    "https://w3id.org/collex/def#function", "https://w3id.org/collex/def#occupation",
]
_KIND = {
    "http://xmlns.com/foaf/0.1/Person": "person",
    "http://xmlns.com/foaf/0.1/Organization": "organization",
    "https://www.ica.org/standards/RiC/ontology#Family": "family",
    "http://purl.org/dc/terms/Location": "place",
    "http://www.w3.org/2004/02/skos/core#Concept": "concept",
}
_YEARS = re.compile(r"(?<!\d)(\d{3,4})(?!\d)")


def normalise(label: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """(words in order, set of words, years) of a label, accents and punctuation removed.

    >>> normalise("Paris, Gaston (1839-1903)")[0], sorted(normalise("Gaston PARIS")[1])
    ('paris gaston', ['gaston', 'paris'])
    """
    years = frozenset(_YEARS.findall(label))
    text = re.sub(r"\([^)]*\)", " ", label)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", text)
    words = [w for w in words if w not in years]
    return " ".join(words), frozenset(words), years


@dataclass
class Candidate:
    local: str
    local_label: str
    target: str
    target_label: str
    score: float
    method: str


@dataclass
class InstitutionRate:
    holder: str
    name: str
    access_points: int
    idref_links: int
    resolved: int

    @property
    def rate(self) -> float:
        return self.idref_links / self.access_points if self.access_points else 0.0


@dataclass
class LinkReport:
    institutions: list[InstitutionRate] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    unlinked: int = 0
    candidates: list[Candidate] = field(default_factory=list)

    def summary(self) -> str:
        lines = ["IdRef links per institution (access points of its collections):",
                 f"  {'linked':>7} {'loaded':>7} {'points':>7}  institution"]
        for r in sorted(self.institutions, key=lambda r: (-r.rate, r.name)):
            lines.append(f"  {r.rate:>6.0%} {r.resolved:>7} {r.access_points:>7}  {r.name}")
        lines.append(f"Unresolved PPNs (cited, no IdRef record loaded): {len(self.unresolved)}")
        lines += [f"  http://www.idref.fr/{p}/id" for p in self.unresolved[:50]]
        with_candidates = len({c.local for c in self.candidates})
        lines.append(f"Names without authority link: {self.unlinked};"
                     f" with IdRef alignment candidates: {with_candidates}")
        for c in self.candidates[:20]:
            lines.append(f"  {c.score:.2f}  {c.local_label}  ->  {c.target_label}  <{c.target}>")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "institutions": [{"holder": r.holder, "name": r.name, "access_points":
                              r.access_points, "idref_links": r.idref_links,
                              "resolved": r.resolved, "rate": round(r.rate, 4)}
                             for r in self.institutions],
            "unresolved": self.unresolved,
            "unlinked": self.unlinked,
            "candidates": [c.__dict__ for c in self.candidates],
        }


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def link_report(settings: Settings, store: WriteStore,
                candidates_csv: Path | None = None) -> LinkReport:
    """Compute the report, rewrite the alignment graph, optionally write the CSV."""
    base = settings.base_iri
    props = " ".join(f"<{p}>" for p in ACCESS_PROPERTIES)
    idref_graphs = f"{base}graph/idref/"
    report = LinkReport()
    rows = store.select(f"""
        SELECT ?holder (SAMPLE(?n) AS ?name) (COUNT(*) AS ?points)
               (SUM(?isIdref) AS ?idref) (SUM(?isLoaded) AS ?loaded) WHERE {{
          {{ SELECT DISTINCT ?holder ?c ?p ?ap WHERE {{
              ?c a <http://purl.org/dc/dcmitype/Collection> ;
                 <https://www.ica.org/standards/RiC/ontology#hasOrHadHolder> ?holder ;
                 ?p ?ap . VALUES ?p {{ {props} }} }} }}
          OPTIONAL {{ ?holder <http://xmlns.com/foaf/0.1/name> ?n }}
          BIND(IF(STRSTARTS(STR(?ap), "http://www.idref.fr/"), 1, 0) AS ?isIdref)
          BIND(IF(EXISTS {{ GRAPH ?g {{ ?ap a ?t }}
                           FILTER(STRSTARTS(STR(?g), "{idref_graphs}")) }}, 1, 0) AS ?isLoaded)
        }} GROUP BY ?holder""")
    for r in rows:
        report.institutions.append(InstitutionRate(
            _v(r, "holder"), _v(r, "name") or _v(r, "holder"), int(_v(r, "points") or 0),
            int(_v(r, "idref") or 0), int(_v(r, "loaded") or 0)))
    report.unresolved = missing_ppns(store, base, broader=False)

    local = store.select(f"""
        SELECT DISTINCT ?ap ?label ?type WHERE {{
          ?c a <http://purl.org/dc/dcmitype/Collection> ; ?p ?ap . VALUES ?p {{ {props} }}
          FILTER(STRSTARTS(STR(?ap), "{base}id/"))
          ?ap <http://www.w3.org/2000/01/rdf-schema#label> ?label .
          OPTIONAL {{ ?ap a ?type }}
        }}""")
    entities = store.select(f"""
        SELECT ?e ?label ?type WHERE {{
          GRAPH ?g {{ ?e a ?type .
            {{ ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }} UNION
            {{ ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?label }} }}
          FILTER(STRSTARTS(STR(?g), "{idref_graphs}"))
        }}""")
    index: dict[tuple[str, str], list[tuple[str, str, frozenset[str]]]] = {}
    tokens: dict[tuple[frozenset[str], str], list[tuple[str, str, frozenset[str]]]] = {}
    for r in entities:
        kind = _KIND.get(_v(r, "type"))
        if kind is None:
            continue
        ordered, words, years = normalise(_v(r, "label"))
        item = (_v(r, "e"), _v(r, "label"), years)
        index.setdefault((ordered, kind), []).append(item)
        tokens.setdefault((words, kind), []).append(item)
    names: dict[str, tuple[str, set[str]]] = {}
    for r in local:
        label, kinds = names.setdefault(_v(r, "ap"), (_v(r, "label"), set()))
        if (kind := _KIND.get(_v(r, "type"))) is not None:
            kinds.add(kind)
    report.unlinked = len(names)
    for iri, (label, kinds) in sorted(names.items()):
        ordered, words, years = normalise(label)
        found: dict[str, Candidate] = {}
        for kind in kinds:
            for exact, pool in ((True, index.get((ordered, kind), [])),
                                (False, tokens.get((words, kind), []))):
                for target, target_label, target_years in pool:
                    score = 0.9 if exact else 0.8
                    if years and target_years:
                        score += 0.1 if years & target_years else -0.4
                    score = round(min(score, 1.0), 2)
                    method = ("same words" if exact else "same words, other order") + (
                        ", dates agree" if years and target_years and years & target_years
                        else ", dates disagree" if years and target_years else "")
                    if score >= 0.5 and (target not in found or found[target].score < score):
                        found[target] = Candidate(iri, label, target, target_label, score,
                                                  method)
        report.candidates += sorted(found.values(), key=lambda c: -c.score)[:3]
    report.candidates.sort(key=lambda c: (-c.score, c.local_label))
    _write_candidates(store, base, report.candidates)
    if candidates_csv is not None:
        with candidates_csv.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["local_iri", "local_label", "idref_iri", "idref_label", "score",
                             "method", "decision"])
            for c in report.candidates:
                writer.writerow(spreadsheet_row([c.local, c.local_label, c.target,
                                                 c.target_label, f"{c.score:.2f}", c.method,
                                                 ""]))
    return report


def _write_candidates(store: WriteStore, base: str, candidates: list[Candidate]) -> None:
    graph = f"{base}graph/alignment/idref"
    triples = []
    for c in candidates:
        node = URIRef(f"{base}id/alignment/"
                      + hashlib.sha1(f"{c.local}|{c.target}".encode(),
                                     usedforsecurity=False).hexdigest()[:16])
        triples += [
            (node, RDF.type, COLLEX.AlignmentCandidate),
            (node, COLLEX.alignmentSource, URIRef(c.local)),
            (node, COLLEX.alignmentTarget, URIRef(c.target)),
            (node, COLLEX.score, Literal(f"{c.score:.2f}", datatype=XSD.decimal)),
            (node, COLLEX.matchedLabel, Literal(c.target_label)),
            (node, COLLEX.matchMethod, Literal(c.method)),
        ]
    with QuadSpool() as spool:
        spool.add_graph(graph, triples)
        store.replace_graphs(spool)

"""Quality per institution against the CollEx indexing expectations: the share of its notices
with IdRef-linked subjects, IdRef-linked agents, dates, extent, access conditions and
digital objects."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graph.base import ReadStore
from loaders.text import spreadsheet_row

CRITERIA = {
    "idref_subjects": ("sujets liés à IdRef / IdRef-linked subjects",
                       "?c <http://purl.org/dc/terms/subject> ?x . ?x a "
                       "<http://www.w3.org/2004/02/skos/core#Concept> "
                       'FILTER(STRSTARTS(STR(?x), "http://www.idref.fr/"))'),
    "idref_agents": ("personnes et collectivités liées à IdRef / IdRef-linked agents",
                     "?c ?p ?x . VALUES ?p { <http://purl.org/dc/terms/subject> "
                     "<http://purl.org/dc/terms/creator> } ?x a ?t . VALUES ?t { "
                     "<http://xmlns.com/foaf/0.1/Person> <http://xmlns.com/foaf/0.1/Organization>"
                     " <https://www.ica.org/standards/RiC/ontology#Family> } "
                     'FILTER(STRSTARTS(STR(?x), "http://www.idref.fr/"))'),
    "dates": ("dates normalisées / normalised dates",
              "?c <http://purl.org/dc/terms/temporal>/<http://www.w3.org/ns/dcat#startDate> ?x"),
    "extent": ("importance matérielle / extent", "?c <http://purl.org/dc/terms/extent> ?x"),
    "access": ("conditions d'accès / access conditions",
               "?c <http://purl.org/dc/terms/accessRights> ?x"),
    "digital": ("objets numériques / digital objects",
                "?c ?p ?x . VALUES ?p { <https://w3id.org/collex/def#digitalObject> "
                "<https://w3id.org/collex/def#iiifManifest> }"),
}


@dataclass
class InstitutionQuality:
    holder: str
    name: str
    notices: int
    counts: dict[str, int]
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (file, record, text)

    def share(self, key: str) -> float:
        return self.counts.get(key, 0) / self.notices if self.notices else 0.0


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def quality(reader: ReadStore) -> list[InstitutionQuality]:
    """One line per institution, sorted by name."""
    holder = "?c <https://www.ica.org/standards/RiC/ontology#hasOrHadHolder> ?h ."
    out: dict[str, InstitutionQuality] = {}
    for r in reader.select(
        "SELECT ?h (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?c) AS ?notices) WHERE { ?c a "
        f"<http://purl.org/dc/dcmitype/Collection> . {holder} "
        "OPTIONAL { ?h <http://xmlns.com/foaf/0.1/name> ?n } } GROUP BY ?h"
    ):
        h = _v(r, "h")
        out[h] = InstitutionQuality(h, _v(r, "name") or h, int(_v(r, "notices")), {})
    for key, (_, pattern) in CRITERIA.items():
        for r in reader.select(
            f"SELECT ?h (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a "
            f"<http://purl.org/dc/dcmitype/Collection> . {holder} {pattern} }} GROUP BY ?h"
        ):
            if _v(r, "h") in out:
                out[_v(r, "h")].counts[key] = int(_v(r, "n"))
    for r in reader.select(
        "SELECT DISTINCT ?h ?f ?id ?w WHERE { ?c a <http://purl.org/dc/dcmitype/Collection> ;"
        f" <http://www.w3.org/ns/prov#wasDerivedFrom> ?g . {holder} ?g"
        " <https://w3id.org/collex/def#loadWarning> ?w ; <https://w3id.org/collex/def#fileName>"
        " ?f OPTIONAL { ?g <http://purl.org/dc/terms/identifier> ?id } } ORDER BY ?f ?w"
    ):
        if _v(r, "h") in out:
            out[_v(r, "h")].warnings.append((_v(r, "f"), _v(r, "id"), _v(r, "w")))
    return sorted(out.values(), key=lambda q: q.name)


def render(rows: list[InstitutionQuality]) -> str:
    keys = list(CRITERIA)
    head = (f"{'notices':>7} " + " ".join(f"{k[:12]:>12}" for k in keys)
            + f" {'warnings':>8}  institution")
    lines = ["Quality per institution (share of notices meeting each expectation):", head]
    for q in rows:
        lines.append(f"{q.notices:>7} " + " ".join(f"{q.share(k):>12.0%}" for k in keys)
                     + f" {len(q.warnings):>8}  {q.name}")
    lines.append("Columns: " + "; ".join(f"{k} = {label}" for k, (label, _) in
                                          CRITERIA.items())
                 + "; warnings = what the loads left out or kept as text (listed below)")
    for q in rows:
        if q.warnings:
            lines.append(f"\nWarnings, {q.name}:")
            lines.extend(f"  {file} [{record}]: {text}" for file, record, text in q.warnings)
    return "\n".join(lines)


def write_csv(rows: list[InstitutionQuality], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["holder", "name", "notices", *[f"{k}_count" for k in CRITERIA],
                    *[f"{k}_share" for k in CRITERIA], "warnings"])
        for q in rows:
            w.writerow(spreadsheet_row(
                [q.holder, q.name, q.notices, *[q.counts.get(k, 0) for k in CRITERIA],
                 *[f"{q.share(k):.4f}" for k in CRITERIA], len(q.warnings)]))

"""Where an institution is: its INSEE department and region.

From, in this order (the first that gives a department wins):

1. the ``department`` column of the institutions list (an INSEE code: ``75``, ``2A``, ``974``);
2. the RCR (the ISIL of a French library is ``FR-`` + its RCR), whose first five characters
   are the INSEE code of the library's commune (``751052116``: 75105, Paris 5e: department 75);
3. a FranceArchives service code (``FRAD084``: Archives départementales, department 84;
   ``FRANMT``: Archives nationales du monde du travail, Roubaix; ``FRANOM``: Archives
   nationales d'outre-mer, Aix-en-Provence);
4. the coordinates (``geo:lat``/``geo:long``), placed in the departments' outlines.

When the coordinates fall in another department than the code says, the code wins and the load
warns. The result is written on the institution as ``collex:department`` and ``collex:region``,
IRIs of the territories scheme ``https://w3id.org/collex/territory/`` (INSEE code as
``skos:notation``, official name as ``skos:prefLabel``), loaded with the lists.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from rdflib import Literal, Namespace, URIRef

from loaders.terms import COLLEX, RDF, RDFS, SKOS
from ontology import territories_path

TERRITORY = Namespace("https://w3id.org/collex/territory/")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
SCHEME = URIRef(str(TERRITORY))
_RCR = re.compile(r"^(?:FR-)?((?:\d{2}|2[AB])\d{3})[0-9A-Z]{4}$", re.I)
_FRAD = re.compile(r"^(?:FR-?)?FRAD(\d{3}|0?2[AB])(?![0-9A-Z])", re.I)
_SERVICES = {"FRANMT": "59", "FRANOM": "13"}
_NEAR = 0.05  # degrees (about 5 km): a point this close to an outline belongs to it


@dataclass(frozen=True)
class Place:
    department: str
    how: str  # "list", "RCR", "FranceArchives code", "coordinates"

    @property
    def region(self) -> str:
        return departments()[self.department]["region"]


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(territories_path().read_text(encoding="utf-8"))
    return data


def departments() -> dict[str, dict[str, str]]:
    """INSEE code -> ``{"name", "region", "chef_lieu", "zone"}`` (101 departments)."""
    found: dict[str, dict[str, str]] = _data()["departments"]
    return found


def regions() -> dict[str, dict[str, str]]:
    """INSEE code -> ``{"name", "chef_lieu", "zone"}`` (18 regions)."""
    found: dict[str, dict[str, str]] = _data()["regions"]
    return found


def department_iri(code: str) -> URIRef:
    return TERRITORY[f"department/{code}"]


def region_iri(code: str) -> URIRef:
    return TERRITORY[f"region/{code}"]


def territory_label(iri: str) -> str | None:
    """The official name of a region or department IRI, with its code for a department.

    >>> territory_label(str(department_iri("2A"))), territory_label(str(region_iri("84")))
    ('Corse-du-Sud (2A)', 'Auvergne-Rhône-Alpes')
    """
    kind, _, code = iri.removeprefix(str(TERRITORY)).partition("/")
    if kind == "department" and code in departments():
        return f"{departments()[code]['name']} ({code})"
    if kind == "region" and code in regions():
        return regions()[code]["name"]
    return None


def normalise_department(value: str) -> str | None:
    """``"5"``, ``"05"``, ``"2a"``, ``"974"`` -> the INSEE code, or None if there is none.

    >>> [normalise_department(v) for v in ("5", "05", "2a", "974", "20", "100")]
    ['05', '05', '2A', '974', None, None]
    """
    code = value.strip().upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    return code if code in departments() else None


def from_commune(insee: str) -> str | None:
    """The department of an INSEE commune code (``75105`` -> 75, ``97411`` -> 974)."""
    insee = insee.upper()
    return normalise_department(insee[:3] if insee.startswith("97") else insee[:2])


def from_code(code: str) -> Place | None:
    """A department from an RCR, a French ISIL or a FranceArchives service code.

    >>> [from_code(c) for c in ("FR-751052116", "674822101", "FRAD084", "FR-FRAD02A")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [Place(department='75', how='RCR'), Place(department='67', how='RCR'),
     Place(department='84', how='FranceArchives code'),
     Place(department='2A', how='FranceArchives code')]
    """
    code = code.strip()
    if (m := _RCR.match(code)) and (dep := from_commune(m.group(1))):
        return Place(dep, "RCR")
    if m := _FRAD.match(code):
        digits = m.group(1).upper().lstrip("0")
        if dep := normalise_department(digits):
            return Place(dep, "FranceArchives code")
    service = code.upper().removeprefix("FR-")
    if service in _SERVICES:
        return Place(_SERVICES[service], "FranceArchives code")
    return None


def from_coordinates(lat: float, lon: float) -> Place | None:
    """The department whose outline holds the point, else the nearest one within about 5 km
    (the outlines are simplified to about 1 km: a point that close to a border may fall on
    the other side, a harbour town off its coast).

    >>> from_coordinates(48.8487, 2.3425), from_coordinates(45.7303, 4.8331)
    (Place(department='75', how='coordinates'), Place(department='69', how='coordinates'))
    >>> from_coordinates(51.5, -0.12) is None  # London
    True
    """
    near: list[tuple[float, str]] = []
    for code, rings, box in _outlines():
        if not (box[0] - _NEAR <= lon <= box[2] + _NEAR
                and box[1] - _NEAR <= lat <= box[3] + _NEAR):
            continue
        inside = False
        for ring in rings:
            if _in_ring(lon, lat, ring):
                inside = not inside
        if inside:
            return Place(code, "coordinates")
        near.append((min(_to_ring(lon, lat, ring) for ring in rings), code))
    # a harbour town just off its simplified coast (Ajaccio, Brest): the nearest outline
    best = min(near, default=None)
    return Place(best[1], "coordinates") if best and best[0] <= _NEAR else None


def locate(*, department: str = "", codes: tuple[str, ...] = (),
           lat: float | None = None, lon: float | None = None,
           warnings: list[str] | None = None) -> Place | None:
    """The first department found (see the module's docstring for the order)."""
    place = None
    if department:
        dep = normalise_department(department)
        place = Place(dep, "list") if dep else None
    for code in codes:
        if place is None and code:
            place = from_code(code)
    if lat is not None and lon is not None:
        seen = from_coordinates(lat, lon)
        if place is None:
            place = seen
        elif seen is not None and seen.department != place.department and warnings is not None:
            warnings.append(
                f"the coordinates ({lat}, {lon}) fall in department {seen.department} "
                f"({departments()[seen.department]['name']}), the {place.how} says "
                f"{place.department} ({departments()[place.department]['name']}); "
                f"kept {place.department}")
    return place


def place_triples(inst: URIRef, place: Place) -> list[tuple[URIRef, URIRef, URIRef]]:
    return [(inst, COLLEX.department, department_iri(place.department)),
            (inst, COLLEX.region, region_iri(place.region))]


def scheme_triples() -> list[tuple[Any, Any, Any]]:
    """The territories scheme: 18 regions and 101 departments, INSEE codes and names."""
    out: list[tuple[Any, Any, Any]] = [
        (SCHEME, RDF.type, SKOS.ConceptScheme),
        (SCHEME, SKOS.prefLabel, Literal("Régions et départements (INSEE)", lang="fr")),
        (SCHEME, SKOS.prefLabel, Literal("Regions and departments (INSEE)", lang="en")),
        (SCHEME, RDFS.comment, Literal(_data()["about"], lang="en")),
    ]
    for kind, cls, items in (("region", IGEO.Region, regions()),
                             ("department", IGEO.Departement, departments())):
        for code, item in items.items():
            iri = TERRITORY[f"{kind}/{code}"]
            out += [(iri, RDF.type, SKOS.Concept), (iri, RDF.type, cls),
                    (iri, SKOS.inScheme, SCHEME), (iri, SKOS.notation, Literal(code)),
                    (iri, IGEO.codeINSEE, Literal(code)),
                    (iri, SKOS.prefLabel, Literal(item["name"], lang="fr")),
                    (iri, IGEO.chefLieu, Literal(item["chef_lieu"]))]
            if kind == "department":
                out.append((iri, SKOS.broader, region_iri(item["region"])))
            else:
                out.append((SCHEME, SKOS.hasTopConcept, iri))
    return out


@cache
def arcs() -> list[list[tuple[float, float]]]:
    return [[(x, y) for x, y in arc] for arc in _data()["arcs"]]


def ring_points(ring: list[int]) -> list[tuple[float, float]]:
    """A TopoJSON ring (arc indexes, ``~i`` for a reversed arc) as points."""
    out: list[tuple[float, float]] = []
    for a in ring:
        pts = arcs()[a] if a >= 0 else arcs()[~a][::-1]
        out.extend(pts[1:] if out else pts)
    return out


def shapes() -> dict[str, list[list[list[int]]]]:
    """Department code -> polygons -> rings -> arc indexes."""
    found: dict[str, list[list[list[int]]]] = _data()["shapes"]
    return found


def region_borders() -> list[int]:
    found: list[int] = _data()["region_borders"]
    return found


@cache
def _outlines() -> list[tuple[str, list[list[tuple[float, float]]], tuple[float, ...]]]:
    out: list[tuple[str, list[list[tuple[float, float]]], tuple[float, ...]]] = []
    for code, polygons in shapes().items():
        rings = [ring_points(r) for polygon in polygons for r in polygon]
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        out.append((code, rings, (min(xs), min(ys), max(xs), max(ys))))
    return out


def _to_ring(x: float, y: float, ring: list[tuple[float, float]]) -> float:
    """Distance (in degrees, longitude scaled by the latitude) from a point to a ring."""
    k = math.cos(math.radians(y))
    best = math.inf
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False):
        ax, ay, bx, by = (x1 - x) * k, y1 - y, (x2 - x) * k, y2 - y
        dx, dy = bx - ax, by - ay
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def _in_ring(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside

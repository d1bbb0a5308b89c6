"""The territorial map: France's regions and departments drawn as SVG on the server (no tiles,
no script: it works offline, in any browser, by keyboard), with the institutions placed by
their coordinates and the collections counted per region and department.

Counts come from the search index (the same filters as the search page: discipline, network,
CollEx label), so a click on a region opens a search that finds exactly the number shown.
Metropolitan France is drawn in Lambert-93 (EPSG:2154, the official projection); the five
overseas departments in insets, each in its own box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

from api.data import _v
from graph.base import ReadStore
from loaders import territory
from ontology import SPARQL_PREFIXES

# Lambert-93 (RGF93 / GRS80): the official projection of metropolitan France
_A, _E = 6378137.0, 0.0818191910428158
_LON0, _LAT1, _LAT2, _LAT0 = (math.radians(x) for x in (3.0, 44.0, 49.0, 46.5))
_X0, _Y0 = 700000.0, 6600000.0


def _m(lat: float) -> float:
    return float(math.cos(lat) / math.sqrt(1 - (_E * math.sin(lat)) ** 2))


def _t(lat: float) -> float:
    s = _E * math.sin(lat)
    return float(math.tan(math.pi / 4 - lat / 2) / ((1 - s) / (1 + s)) ** (_E / 2))


_N = (math.log(_m(_LAT1)) - math.log(_m(_LAT2))) / (math.log(_t(_LAT1)) - math.log(_t(_LAT2)))
_F = _m(_LAT1) / (_N * _t(_LAT1) ** _N)
_R0 = _A * _F * _t(_LAT0) ** _N


def lambert93(lon: float, lat: float) -> tuple[float, float]:
    """Longitude/latitude (degrees) -> Lambert-93 metres.

    >>> [round(v) for v in lambert93(3.0, 46.5)]
    [700000, 6600000]
    >>> [round(v / 1000) for v in lambert93(2.3522, 48.8566)]  # Paris, about (652, 6862) km
    [652, 6862]
    """
    r = _A * _F * _t(math.radians(lat)) ** _N
    theta = _N * (math.radians(lon) - _LON0)
    return _X0 + r * math.sin(theta), _Y0 + _R0 - r * math.cos(theta)


WIDTH, HEIGHT = 1000, 960
_METRO = (60.0, 10.0, 990.0, 950.0)  # drawing box of metropolitan France
_INSETS = {"971": (0, 0), "972": (0, 1), "973": (0, 2), "974": (0, 3), "976": (0, 4)}
_INSET_BOX = 118.0  # side of an overseas inset; they stand in a column on the left
# Paris and its inner ring, where most collections are, zoomed at the top right
ZOOM = ("75", "92", "93", "94")
ZOOM_BOX = (810.0, 26.0, 990.0, 196.0)


@dataclass
class Projection:
    """Maps longitude/latitude to the SVG's user units, for one part of the map."""

    kind: str  # "lambert" or "plate"
    scale: float
    dx: float
    dy: float
    cos_lat: float = 1.0

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        if self.kind == "lambert":
            x, y = lambert93(lon, lat)
        else:
            x, y = lon * self.cos_lat, lat
        return x * self.scale + self.dx, -y * self.scale + self.dy


def _fit(kind: str, points: list[tuple[float, float]], box: tuple[float, float, float, float],
         cos_lat: float = 1.0) -> Projection:
    raw = Projection(kind, 1.0, 0.0, 0.0, cos_lat)
    xy = [raw(lon, lat) for lon, lat in points]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    scale = min((box[2] - box[0]) / (max(xs) - min(xs)), (box[3] - box[1]) / (max(ys) - min(ys)))
    width, height = (max(xs) - min(xs)) * scale, (max(ys) - min(ys)) * scale
    dx = box[0] + ((box[2] - box[0]) - width) / 2 - min(xs) * scale
    dy = box[1] + ((box[3] - box[1]) - height) / 2 - min(ys) * scale
    return Projection(kind, scale, dx, dy, cos_lat)


@dataclass
class Frame:
    """Where each department is drawn: its projection, and the insets' boxes."""

    projections: dict[str, Projection]
    insets: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)
    zoom: Projection | None = None  # Paris and its inner ring, in ZOOM_BOX

    def place(self, department: str | None, lon: float, lat: float
              ) -> tuple[float, float] | None:
        """A point on the map: in its department's frame (overseas insets), else metropolitan;
        None when it falls outside that frame (an institution abroad, or coordinates far from
        the department its code gives: listed under the map, not drawn somewhere wrong).

        >>> f = frame()
        >>> f.place("75", 2.3425, 48.8487) is not None, f.place("974", 2.3425, 48.8487)
        (True, None)
        >>> x, y = f.place("75", 2.3425, 48.8487); ZOOM_BOX[0] < x < ZOOM_BOX[2]  # zoomed
        True
        """
        if department in ZOOM and self.zoom is not None:
            x, y = self.zoom(lon, lat)
            if ZOOM_BOX[0] <= x <= ZOOM_BOX[2] and ZOOM_BOX[1] <= y <= ZOOM_BOX[3]:
                return x, y
        box = next((b for code, b in self.insets if code == department), _METRO)
        proj = self.projections.get(department or "") or self.projections["75"]
        x, y = proj(lon, lat)
        if not (box[0] <= x <= box[2] and box[1] <= y <= box[3]):
            return None  # outside its department's frame: coordinates that are wrong
        return x, y


def _points(code: str) -> list[tuple[float, float]]:
    return [p for polygon in territory.shapes()[code] for ring in polygon
            for p in territory.ring_points(ring)]


@cache
def frame() -> Frame:
    metro = [c for c, d in territory.departments().items() if d["zone"] == "metro"]
    lambert = _fit("lambert", [p for c in metro for p in _points(c)], _METRO)
    projections = dict.fromkeys(metro, lambert)
    insets = []
    for code, (col, row) in _INSETS.items():
        pts = _points(code)
        lat = sum(p[1] for p in pts) / len(pts)
        x0, y0 = 6.0 + col * _INSET_BOX, 10.0 + row * (_INSET_BOX + 72)
        box = (x0, y0, x0 + _INSET_BOX, y0 + _INSET_BOX)
        projections[code] = _fit("plate", pts, (box[0] + 8, box[1] + 8, box[2] - 8, box[3] - 8),
                                 math.cos(math.radians(lat)))
        insets.append((code, box))
    zoom = _fit("lambert", [p for c in ZOOM for p in _points(c)],
                (ZOOM_BOX[0] + 6, ZOOM_BOX[1] + 6, ZOOM_BOX[2] - 6, ZOOM_BOX[3] - 6))
    return Frame(projections, insets, zoom)


def _path(rings: list[list[tuple[float, float]]], proj: Projection) -> str:
    out = []
    for ring in rings:
        pts = [proj(lon, lat) for lon, lat in ring]
        coords = []
        last = None
        for x, y in pts:
            here = (round(x, 1), round(y, 1))
            if here != last:
                coords.append(f"{here[0]:g} {here[1]:g}")
                last = here
        if len(coords) > 2:
            out.append("M" + "L".join(coords) + "Z")
    return "".join(out)


@cache
def department_paths() -> dict[str, str]:
    """Department code -> SVG path data (fill rule evenodd); ``{code}@zoom`` for the zoomed
    drawing of Paris and its inner ring."""
    f = frame()
    rings = {code: [territory.ring_points(r) for polygon in polygons for r in polygon]
             for code, polygons in territory.shapes().items()}
    out = {code: _path(r, f.projections[code]) for code, r in rings.items()}
    if f.zoom is not None:
        out |= {f"{code}@zoom": _path(rings[code], f.zoom) for code in ZOOM}
    return out


@cache
def region_border_path() -> str:
    """The borders between regions and the outline (drawn over the departments)."""
    f = frame()
    lambert = f.projections["75"]
    out = []
    for index in territory.region_borders():
        arc = territory.arcs()[index]
        # an arc of an overseas department: its own frame (each is one region)
        owner = next((c for c, polys in territory.shapes().items()
                      if any(index in r or ~index in r for p in polys for r in p)), "75")
        proj = f.projections.get(owner, lambert)
        pts = [proj(lon, lat) for lon, lat in arc]
        out.append("M" + "L".join(f"{round(x, 1):g} {round(y, 1):g}" for x, y in pts))
    return "".join(out)


@dataclass
class Holder:
    iri: str
    name: str
    isil: str
    department: str | None
    latitude: float | None
    longitude: float | None


def holders(reader: ReadStore) -> list[Holder]:
    """Every institution that holds a collection, with where it is (a view: once per data
    generation)."""
    rows = reader.select(SPARQL_PREFIXES + """
        SELECT ?i (SAMPLE(?n0) AS ?name) (SAMPLE(?isil0) AS ?isil) (SAMPLE(?d0) AS ?dep)
               (SAMPLE(?lat0) AS ?lat) (SAMPLE(?long0) AS ?long)
        WHERE { ?c a dcmitype:Collection ; rico:hasOrHadHolder ?i . ?i a collex:Institution .
                OPTIONAL { ?i foaf:name ?n0 } OPTIONAL { ?i collex:isil ?isil0 }
                OPTIONAL { ?i collex:department ?d0 }
                OPTIONAL { ?i geo:lat ?lat0 ; geo:long ?long0 } }
        GROUP BY ?i""")
    out = []
    prefix = str(territory.TERRITORY) + "department/"
    for r in rows:
        dep = _v(r, "dep").removeprefix(prefix) or None
        lat, lon = _float(_v(r, "lat")), _float(_v(r, "long"))
        name = _v(r, "name") or _v(r, "isil") or _v(r, "i").rsplit("/", 1)[-1]
        out.append(Holder(_v(r, "i"), name, _v(r, "isil"), dep, lat, lon))
    return sorted(out, key=lambda h: h.name.casefold())


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def shade(count: int, top: int) -> int:
    """One of six classes of fill (0: no collection), on a square-root scale.

    >>> [shade(n, 100) for n in (0, 1, 10, 50, 100)]
    [0, 1, 2, 4, 5]
    """
    if count <= 0 or top <= 0:
        return 0
    return max(1, min(5, math.ceil(5 * math.sqrt(count / top))))

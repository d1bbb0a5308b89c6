"""Downloadable dumps: the whole graph as gzipped N-Quads and the collections as CSV, made by
the server in the background after each load (and each write through it), published at
stable URLs (``/dumps/collex.nq.gz``, ``/dumps/collections.csv``) with their size, SHA-256
and date, and described in VoID (``void:dataDump``) and in a DCAT catalogue
(``/dumps/catalog``).

Each set of files is written into a folder of its own (``{store}.dumps/{state}/``) and made
current by replacing ``current.json`` (one atomic rename): a download never mixes two data
states, and the previous set is kept until the next one is current (downloads under way
finish). ``state`` is the store's data version (written by each load) and the count of
writes made through this server since it started: a restart with nothing new written reuses
the files made before.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from collex.settings import Settings
from graph.base import ReadStore
from loaders.derived.state import data_version
from loaders.text import spreadsheet_row
from ontology import SPARQL_PREFIXES

log = logging.getLogger("collex.dumps")
FILES = {  # name: (media type, compression, title)
    "collex.nq.gz": ("application/n-quads", "application/gzip",
                     "Le graphe entier (N-Quads, gzip) / The whole graph (N-Quads, gzip)"),
    "collections.csv": ("text/csv", None,
                        "Les collections (CSV, UTF-8) / The collections (CSV, UTF-8)"),
    "collex-datasets.zip": ("application/zip", None,
                            "Tables pour l'analyse (CSV, Parquet, Frictionless Data Package) /"
                            " Analysis-ready tables (CSV, Parquet, Frictionless Data Package)"),
}
CSV_COLUMNS = ["iri", "key", "title", "holder", "holder_isil", "start_year", "end_year",
               "dates", "shelfmarks", "extent", "level", "languages", "networks",
               "disciplines", "collex_label", "components"]
_STATE = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass
class DumpFile:
    name: str
    media_type: str
    compression: str | None
    size: int
    sha256: str
    title: str


@dataclass
class DumpSet:
    state: str
    issued: str  # ISO 8601, UTC
    quads: int
    collections: int
    files: list[DumpFile] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> DumpSet:
        files = [DumpFile(**f) for f in data["files"]]  # type: ignore[attr-defined]
        return cls(str(data["state"]), str(data["issued"]), int(data["quads"]),  # type: ignore[call-overload]
                   int(data["collections"]), files)  # type: ignore[call-overload]


def dumps_dir(settings: Settings) -> Path:
    return settings.store_dir.parent / f"{settings.store_dir.name}.dumps"


class Dumps:
    """The dumps folder of one store."""

    def __init__(self, directory: Path, base: str) -> None:
        self.directory = directory
        self.base = base

    def current(self) -> DumpSet | None:
        try:
            data = json.loads((self.directory / "current.json").read_text(encoding="utf-8"))
            found = DumpSet.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not _STATE.fullmatch(found.state) or not all(
                (self.directory / found.state / f.name).is_file() for f in found.files):
            return None
        return found

    def path(self, dump: DumpSet, name: str) -> Path | None:
        if name not in {f.name for f in dump.files}:
            return None
        return self.directory / dump.state / name

    def make(self, reader: ReadStore, writes: int) -> DumpSet:
        """The dumps of the store's present state: made unless the current ones are of it."""
        state = f"{data_version(reader, self.base) or 'empty'}-{writes}"
        found = self.current()
        if found is not None and found.state == state:
            return found
        self.directory.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".making-", dir=self.directory))
        work.chmod(0o755)
        try:
            issued = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            files, quads = [], 0
            raw = work / "collex.nq"
            quads = reader.dump(raw)
            size, digest = _gzip(raw, work / "collex.nq.gz")
            raw.unlink()
            files.append(_described("collex.nq.gz", size, digest))
            rows = _collections_csv(reader, self.base, work / "collections.csv")
            files.append(_described("collections.csv", *_measure(work / "collections.csv")))
            files.append(_described("collex-datasets.zip", *_datasets_zip(
                reader, self.base, work, state)))
            made = DumpSet(state, issued, quads, rows, files)
            final = self.directory / state
            if final.exists():
                shutil.rmtree(final)
            work.rename(final)
            pointer = self.directory / ".current.json.part"
            pointer.write_text(json.dumps(asdict(made), indent=1), encoding="utf-8")
            pointer.replace(self.directory / "current.json")
            log.info("dumps made for %s: %d quads, %d collections", state, quads, rows)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        self._prune(keep={state, found.state if found else ""})
        return made

    def _prune(self, keep: set[str]) -> None:
        """Older sets go; the previous one stays for downloads under way."""
        for entry in self.directory.iterdir():
            if entry.is_dir() and entry.name not in keep and not entry.name.startswith(
                    ".making-"):
                shutil.rmtree(entry, ignore_errors=True)


def _described(name: str, size: int, digest: str) -> DumpFile:
    media, compression, title = FILES[name]
    return DumpFile(name, media, compression, size, digest, title)


def _measure(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    return path.stat().st_size, sha.hexdigest()


def _datasets_zip(reader: ReadStore, base: str, work: Path, state: str) -> tuple[int, str]:
    """``collex export datasets`` of this state, zipped (fixed dates: the same data give the
    same bytes, but for the descriptor's creation date)."""
    import zipfile

    from api.datasets import export

    folder = export(reader, base, work / "datasets", version=state).folder
    target = work / "collex-datasets.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"collex-datasets/{path.name}", (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with path.open("rb") as src, z.open(info, "w") as out:
                shutil.copyfileobj(src, out, 1 << 20)
    shutil.rmtree(folder)
    return _measure(target)


def _gzip(source: Path, target: Path) -> tuple[int, str]:
    """Compress ``source`` into ``target`` (mtime 0: the same graph gives the same bytes)."""
    with source.open("rb") as src, target.open("wb") as raw, gzip.GzipFile(
            fileobj=raw, mode="wb", compresslevel=6, mtime=0, filename="") as out:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            out.write(chunk)
    return _measure(target)


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def _collections_csv(reader: ReadStore, base: str, path: Path) -> int:
    """One row per collection (CSV_COLUMNS); lists joined with `` | ``."""
    p = SPARQL_PREFIXES
    rows: dict[str, dict[str, str]] = {}
    for r in reader.iter_select(p + """
        SELECT ?c (SAMPLE(?t) AS ?title) (SAMPLE(?lvl) AS ?level) (SAMPLE(?x) AS ?extent)
               (MAX(?n) AS ?components) WHERE { ?c a dcmitype:Collection
          OPTIONAL { ?c dcterms:title ?t } OPTIONAL { ?c collex:descriptionLevel ?lvl }
          OPTIONAL { ?c dcterms:extent ?x } OPTIONAL { ?c collex:componentCount ?n } }
        GROUP BY ?c ORDER BY ?c"""):
        c = _v(r, "c")
        rows[c] = {"iri": c, "key": c.removeprefix(f"{base}id/collection/"),
                   "title": _v(r, "title"), "level": _v(r, "level"),
                   "extent": _v(r, "extent"), "components": _v(r, "components") or "0"}
    many: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    lists = {
        "holder": "?c rico:hasOrHadHolder ?h . ?h foaf:name|rdfs:label ?v",
        "holder_isil": "?c rico:hasOrHadHolder/collex:isil ?v",
        "shelfmarks": "?c dcterms:identifier ?v",
        "languages": "?c dcterms:language ?l BIND(REPLACE(STR(?l), '^.*/', '') AS ?v)",
        "networks": "?n collex:hasMember ?c ; a collex:ThematicNetwork ; foaf:name ?v",
        "disciplines": "?c collex:discipline ?d BIND(REPLACE(STR(?d), '^.*/', '') AS ?v)",
        "dates": "?c dcterms:temporal/rdfs:label ?v",
        "start_year": "?c dcterms:temporal/collex:startYear ?v",
        "end_year": "?c dcterms:temporal/collex:endYear ?v",
    }
    for column, pattern in lists.items():
        for r in reader.iter_select(p + f"SELECT DISTINCT ?c ?v WHERE {{ ?c a"
                                    f" dcmitype:Collection . {pattern} }} ORDER BY ?c ?v"):
            many[_v(r, "c")][column].append(_v(r, "v"))
    labelled = {_v(r, "c") for r in reader.iter_select(
        p + "SELECT DISTINCT ?c WHERE { ?c a dcmitype:Collection ; collex:hasLabel ?l }")}
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for c, row in rows.items():
            values = many.get(c, {})
            for column, found in values.items():
                if column == "start_year":
                    row[column] = str(min(int(y) for y in found))
                elif column == "end_year":
                    row[column] = str(max(int(y) for y in found))
                elif column in ("holder", "holder_isil"):
                    row[column] = found[0]
                else:
                    row[column] = " | ".join(found)
            row["collex_label"] = "yes" if c in labelled else "no"
            writer.writerow(spreadsheet_row([row.get(k, "") for k in CSV_COLUMNS]))
    return len(rows)


def catalog_turtle(dump: DumpSet | None, base: str, site: str) -> str:
    """The DCAT catalogue: the dataset, its SPARQL service and its downloads."""
    lines = [
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix spdx: <http://spdx.org/rdf/terms#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "",
        f"<{site}dumps/catalog> a dcat:Catalog ;",
        '  dcterms:title "Catalogue des données CollEx"@fr , "CollEx data catalogue"@en ;',
        f"  dcat:dataset <{base}void> ; dcat:service <{site}sparql#service> .",
        f"<{site}sparql#service> a dcat:DataService ; dcterms:title \"SPARQL\" ;",
        f"  dcat:endpointURL <{site}sparql> ; dcat:servesDataset <{base}void> ;",
        "  dcterms:conformsTo <https://www.w3.org/TR/sparql11-protocol/> .",
        f"<{base}void> a dcat:Dataset , void:Dataset ;",
        '  dcterms:title "Graphe de connaissances CollEx"@fr , "CollEx knowledge graph"@en ;',
        "  dcterms:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence/> .",
    ]
    if dump is not None:
        lines.append(f'<{base}void> dcterms:modified "{dump.issued}"^^xsd:dateTime .')
        for f in dump.files:
            node, dist = f"<{site}dumps/{f.name}>", f"<{site}dumps/catalog#{f.name}>"
            lines += [
                f"<{base}void> dcat:distribution {dist} .",
                f"{dist} a dcat:Distribution ;",
                f"  dcterms:title {json.dumps(f.title, ensure_ascii=False)} ;",
                f"  dcat:downloadURL {node} ; dcat:accessURL {node} ;",
                f'  dcat:mediaType <https://www.iana.org/assignments/media-types/{f.media_type}> ;',
                *([f"  dcat:compressFormat <https://www.iana.org/assignments/media-types/"
                   f"{f.compression}> ;"] if f.compression else []),
                f'  dcat:byteSize "{f.size}"^^xsd:nonNegativeInteger ;',
                f'  dcterms:issued "{dump.issued}"^^xsd:dateTime ;',
                "  dcterms:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence/> ;",
                "  spdx:checksum [ a spdx:Checksum ; spdx:algorithm"
                f' spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "{f.sha256}" ] .',
            ]
    return "\n".join(lines) + "\n"


def listing(dump: DumpSet | None, site: str) -> dict[str, object]:
    """``GET /dumps``: what is published, for scripts."""
    if dump is None:
        return {"state": None, "files": []}
    return {"state": dump.state, "issued": dump.issued, "quads": dump.quads,
            "collections": dump.collections, "catalog": f"{site}dumps/catalog",
            "files": [{"url": f"{site}dumps/{f.name}", "name": f.name,
                       "media_type": f.media_type, "compression": f.compression,
                       "size": f.size, "sha256": f.sha256, "issued": dump.issued}
                      for f in dump.files]}



def make_in_process(snapshot: Path, directory: Path, base: str, writes: int,
                    timeout: float = 6 * 3600) -> DumpSet | None:
    """Make the dumps of a store snapshot in a process of its own, at low priority (nice 10):
    the server's queries keep the CPU, and the dump does not hold the server's GIL (in the
    server's thread, a dump at S made a soak's whole-store views wait past 30 s)."""
    import subprocess
    import sys

    done = subprocess.run(  # noqa: S603 (this interpreter, this module, paths of ours)
        [sys.executable, "-m", "api.dumps", str(snapshot), str(directory), base, str(writes),
         str(os.getpid())],
        capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        log.warning("the dumps could not be made: %s", done.stderr.strip()[-500:])
        return None
    return Dumps(directory, base).current()


def die_with(parent: int) -> None:
    """End this process when ``parent`` ends: a dump process whose server was stopped or killed
    mid-dump went on for minutes, holding a snapshot and a CPU (seen after a soak). Linux asks
    the kernel (``PR_SET_PDEATHSIG``); a parent already gone ends it at once."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):  # not Linux: it ends when it ends
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:
        raise SystemExit(1)


def _main(argv: list[str]) -> int:
    """``python -m api.dumps SNAPSHOT DIRECTORY BASE WRITES [PARENT]`` (the server's dump
    process; it ends with the PARENT process)."""
    import pyoxigraph as ox

    from graph.embedded import EmbeddedReader

    snapshot, directory, base, writes = argv[:4]
    if len(argv) > 4:
        die_with(int(argv[4]))
    os.nice(10)  # the server's queries first
    reader = EmbeddedReader(ox.Store.read_only(snapshot))
    Dumps(Path(directory), base).make(reader, int(writes))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(_main(sys.argv[1:]))

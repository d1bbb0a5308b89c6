"""Search latency at scale: a generated index of N collections served by `collex serve`.

    .venv/bin/python bench/search_latency.py [--collections 10000] [--requests 300]

Builds the search index of N synthetic collections (French titles and descriptions with
accents, Zipf-distributed subjects, 40 institutions, networks, centuries, languages), serves
it, and measures /api/collections (words + facets) p50/p95 for a fixed mix of queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.search import Document, SqliteSearchIndex, index_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sparql_lookup import _free_port, _wait

BIN = Path(sys.executable).parent
WORDS = [
    "manuscrits", "correspondance", "archives", "fonds", "papiers", "registres", "cartes",
    "plans", "photographies", "imprimés", "thèses", "cours", "notes", "mémoires", "rapports",
    "dossiers", "épreuves", "gravures", "partitions", "école", "société", "faculté",
    "observatoire", "bibliothèque", "musée", "académie", "institut", "collège", "médecine",
    "pharmacie", "astronomie", "philologie", "héraldique", "géographie", "droit", "économie",
    "histoire", "littérature", "philosophie", "théologie", "orientalisme", "égyptologie",
    "arabe", "persan", "ottoman", "grec", "latin", "hébreu", "chinois", "japonais", "arménien",
    "syriaque", "copte", "éthiopien",
]
SUBJECTS = [f"Sujet RAMEAU {i}" for i in range(2000)]
CITIES = ["Paris", "Lyon", "Strasbourg", "Bordeaux", "Toulouse", "Lille", "Rennes", "Nancy",
          "Montpellier", "Aix-en-Provence"]


def documents(n: int, rnd: random.Random) -> list[Document]:
    zipf = [1 / (k + 1) for k in range(len(SUBJECTS))]
    docs = []
    for i in range(n):
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 8))).capitalize()
        subjects = rnd.choices(range(len(SUBJECTS)), weights=zipf, k=rnd.randint(1, 6))
        start = rnd.randint(1400, 1990)
        end = start + rnd.randint(0, 120)
        inst = rnd.randrange(40)
        facets: dict[str, list[tuple[str, str]]] = defaultdict(list)
        facets["institution"].append((f"inst:{inst}", f"Bibliothèque {inst} ({CITIES[inst % 10]})"))
        for s in set(subjects):
            facets["subject"].append((f"subj:{s}", SUBJECTS[s]))
        facets["network"].append((f"net:{rnd.randrange(30)}", "Réseau"))
        facets["discipline"].append((f"disc:{rnd.randrange(20)}", "Discipline"))
        facets["language"].append((rnd.choice(["fre", "lat", "ara", "ger"]), "langue"))
        facets["level"].append(("fonds", "fonds"))
        facets["collex"].append(("yes" if rnd.random() < 0.3 else "no", "CollEx"))
        for c in range(start // 100, end // 100 + 1):
            facets["century"].append((str(c + 1), f"{c + 1}e siècle"))
        docs.append(Document(
            f"http://127.0.0.1:8000/id/collection/gen-{i}", title,
            {"description": " ".join(rnd.choice(WORDS) for _ in range(40)),
             "subjects": " | ".join(SUBJECTS[s] for s in subjects)},
            dict(facets), start,
            {"holder": f"Bibliothèque {inst}", "dates": f"{start}-{end}"}))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    rnd = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="collex-search-bench-"))
    store = work / "store"
    t = time.perf_counter()
    n = SqliteSearchIndex(index_path(store)).rebuild(documents(args.collections, rnd))
    build = time.perf_counter() - t
    port = _free_port()
    env = {**os.environ, "COLLEX_STORE_DIR": str(store), "COLLEX_RATE_LIMIT": "1000000",
           "COLLEX_RATE_BURST": "1000000"}
    proc = subprocess.Popen([str(BIN / "collex"), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/collections"
    mix = [{"q": "manuscrits arabes"}, {"q": "ecole"}, {"q": "correspondance"},
           {"q": "medecine", "century": "18"}, {"institution": "inst:3"},
           {"q": "histoire", "subject": "subj:0"}, {"q": "archi*"}, {}]
    try:
        _wait(url)
        with httpx.Client(timeout=30) as client:
            for params in mix:
                client.get(url, params=params)  # warm-up
            latencies = []
            for i in range(args.requests):
                t = time.perf_counter()
                # no-cache: the search is measured, not the server's kept answers
                r = client.get(url, params=mix[i % len(mix)],
                               headers={"Cache-Control": "no-cache"})
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    raise SystemExit(f"{r.status_code} {r.text[:200]}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    q = statistics.quantiles(latencies, n=100)
    print(f"Search API at {n} collections (index built in {build:.1f} s,"
          f" {index_path(store).stat().st_size / 1e6:.0f} MB): p50 {q[49] * 1000:.1f} ms,"
          f" p95 {q[94] * 1000:.1f} ms over {len(latencies)} requests (words + facets)")


if __name__ == "__main__":
    main()

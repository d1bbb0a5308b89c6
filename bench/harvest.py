"""Harvest throughput: `collex harvest` from a local OAI-PMH repository (oai-repo, the test
server of tests/harvest/oai_server.py) serving generated EAD notices.

    .venv/bin/python bench/harvest.py [--records 10000] [--page-size 100] [--rate 50]

Runs the real command (a subprocess on a fresh store), so the figure includes Identify, every
page's request, parsing, conversion, SHACL, writing with its checkpoint, and the derived
graphs at the end. Prints records/s for the pages (the harvest's own report) and for the
whole command, and the peak RSS of the harvester.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harvest.oai_server import OaiServer, Rec, Records, generated_ead  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0,
                        help="COLLEX_HARVEST_RATE (requests/s; high: the bench measures us)")
    args = parser.parse_args()
    records = Records(Rec(f"oai:bench:{i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z",
                          generated_ead(i)) for i in range(args.records))
    with tempfile.TemporaryDirectory(prefix="collex-bench-harvest-") as tmp, \
            OaiServer(records, page_size=args.page_size) as server:
        env = {**os.environ, "COLLEX_STORE_DIR": str(Path(tmp) / "store"),
               "COLLEX_HARVEST_RATE": str(args.rate)}
        started = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", str(Path(sys.executable).parent / "collex"),
             "harvest", server.url, "--metadata-prefix", "ead", "--json"],
            env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        report = json.loads(proc.stdout)["sources"][0]
        peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
    pages = report["pages"]
    print(f"{report['records']} records in {pages} pages of {args.page_size}:"
          f" {report['added']} added, {report['rejected_count']} rejected")
    print(f"pages harvested and loaded: {report['seconds']:.1f} s,"
          f" {report['records_per_second']:.0f} records/s ({report['requests']} requests)")
    print(f"whole command (start, harvest, derived graphs and search index): {wall:.1f} s,"
          f" {report['records'] / wall:.0f} records/s; peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

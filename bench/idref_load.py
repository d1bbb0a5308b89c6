"""IdRef load throughput on a generated file of UNIMARC authority records.

    .venv/bin/python bench/idref_load.py [--records 10000] [--format marcxml|iso2709]

Writes a MARCXML <collection> (or an ISO 2709 stream) of synthetic persons, corporate bodies
and RAMEAU subjects with a broader/narrower hierarchy (made-up PPNs with valid check
characters, French names with accents, partial dates), loads it with `collex load` into a
fresh store under /usr/bin/time, and prints records/s, triples/s and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.authority import ppn_check_char

BIN = Path(sys.executable).parent
SURNAMES = ["Dupont", "Lefèvre", "Bérard", "Çelik", "Moreau", "Lévêque", "Gauthier", "Noël",
            "Béranger", "Durand", "Rousseau", "Mérimée", "Châtelet", "Fabre", "Pétain"]
FORENAMES = ["Élise", "Jérôme", "Anaïs", "François", "Hélène", "Loïc", "Zoé", "Gaëlle",
             "Amédée", "Thérèse"]
SUBJECTS = ["Manuscrits", "Reliure", "Héraldique", "Paléographie", "Imprimerie", "Cartographie",
            "Philologie", "Numismatique", "Épigraphie", "Diplomatique"]


def ppn(n: int) -> str:
    base = f"9{n:07d}"
    return base + ppn_check_char(base)


def field(tag: str, subs: list[tuple[str, str]], ind1: str = " ", ind2: str = " ") -> str:
    inner = "".join(f'<subfield code="{c}">{v}</subfield>' for c, v in subs)
    return f'<datafield tag="{tag}" ind1="{ind1}" ind2="{ind2}">{inner}</datafield>'


def record(n: int, rnd: random.Random) -> str:
    kind = n % 3
    fields: list[str] = []
    controls = [("001", ppn(n)), ("005", "20240101000000.000")]
    if kind == 0:
        controls.append(("008", "Tp5"))
        born = rnd.randint(1600, 1950)
        dates = f"{born}-{born + rnd.randint(30, 90)}" if rnd.random() < 0.8 else f"{born // 100}.."
        fields.append(field("103", [("a", dates.split("-")[0])]))
        fields.append(field("200", [("a", rnd.choice(SURNAMES)), ("b", rnd.choice(FORENAMES)),
                                    ("f", dates)], ind2="1"))
        fields.append(field("400", [("a", rnd.choice(SURNAMES)), ("b", rnd.choice(FORENAMES))],
                            ind2="1"))
        fields.append(field("035", [("a", str(rnd.randint(10**6, 10**8))), ("2", "VIAF")]))
    elif kind == 1:
        controls.append(("008", "Tb5"))
        fields.append(field("210", [("a", f"Société d'études {rnd.choice(SUBJECTS).lower()}"),
                                    ("c", "Paris")], ind1="0", ind2="2"))
    else:
        controls.append(("008", "Td6"))
        fields.append(field("250", [("a", f"{rnd.choice(SUBJECTS)} {n}")]))
        fields.append(field("450", [("a", f"{rnd.choice(SUBJECTS)} (variante {n})")]))
        if n > 3:
            fields.append(field("550", [("3", ppn(n - 3)), ("5", "g"),
                                        ("a", f"Sujet {n - 3}")]))
    ctrl = "".join(f'<controlfield tag="{t}">{v}</controlfield>' for t, v in controls)
    return f"<record><leader>     cx  a22     3  45  </leader>{ctrl}{''.join(fields)}</record>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--format", choices=["marcxml", "iso2709"], default="marcxml")
    args = parser.parse_args()
    rnd = random.Random(42)
    work = Path(tempfile.mkdtemp(prefix="collex-idref-bench-"))
    xml = ('<collection xmlns="http://www.loc.gov/MARC21/slim">'
           + "".join(record(n, rnd) for n in range(1, args.records + 1)) + "</collection>")
    path = work / "authorities.xml"
    path.write_text(xml, encoding="utf-8")
    if args.format == "iso2709":
        from loaders.idref.parse import MarcRecord, parse

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fixtures"
                               / "idref"))
        from make_iso2709 import to_pymarc

        recs = [r for r in parse(path.read_bytes(), "x").records if isinstance(r, MarcRecord)]
        path = work / "authorities.mrc"
        path.write_bytes(b"".join(to_pymarc(r).as_marc() for r in recs))
    env = {**os.environ, "COLLEX_STORE_DIR": str(work / "store"),
           "COLLEX_MAX_FILE_BYTES": str(2**31)}
    proc = subprocess.run(["/usr/bin/time", "-v", str(BIN / "collex"), "load", str(path),
                           "--json"], env=env, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr[-2000:])
    report = json.loads(proc.stdout)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    print(f"IdRef load, {args.format}, {path.stat().st_size / 1e6:.1f} MB,"
          f" {report['loaded']} records loaded ({report['rejected_count']} rejected),"
          f" {report['triples']} triples in {report['seconds']:.1f} s:"
          f" {report['records_per_second']:.0f} records/s,"
          f" {report['triples_per_second']:.0f} triples/s,"
          f" peak RSS {int(rss.group(1)) / 1024 if rss else float('nan'):.0f} MiB")


if __name__ == "__main__":
    main()

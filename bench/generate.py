"""Deterministic generator of a realistic corpus in the real input formats.

    .venv/bin/python bench/generate.py --scale S --out DIR [--seed 2026]

Scales: S = 1,000 collections / 10,000 authorities, M = 10,000 / 100,000,
L = 100,000 / 1,000,000. Writes:
- ``idref/authorities-NNN.xml``: MARCXML collections (MARC21-slim namespace) of persons (60%,
  French names with accents, partial dates such as ``18..``), corporate bodies (15%) and
  RAMEAU subjects (25%) with a broader/narrower hierarchy; made-up PPNs (valid check
  characters, starting with 9 so they do not collide with real ones);
- ``ead/*.xml``: fonds notices, half in the Calames layout (no namespace, RCR, bare PPNs),
  half in the CCFr/TAPIR layout (EAD namespace, ISIL, @source idref/rameau), citing authorities
  with a Zipf-like distribution of subjects;
  each with a component tree (``dsc``: series of files with dates, extents, persons, some
  linked to IdRef, and places): median about 50 components, a few over 1,000, and notice 1
  with 12,000;
- ``lists/*.csv``: institutions, CollEx labels, thematic networks and members;
- about 2% faulty records (notice without title, impossible date, broken XML, invalid PPN).
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape  # noqa: TID251 - escaping only, no parsing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.authority import ppn_check_char

SCALES = {"S": (1_000, 10_000), "M": (10_000, 100_000), "L": (100_000, 1_000_000)}
SURNAMES = ["Dupont", "Lefèvre", "Bérard", "Moreau", "Lévêque", "Gauthier", "Noël", "Fabre",
            "Béranger", "Durand", "Rousseau", "Mérimée", "Châtelet", "Prévost", "Lemaître",
            "Girardet", "Bénard", "Aubert", "Régnier", "Thévenin", "Caillé", "Hébert"]
FORENAMES = ["Élise", "Jérôme", "Anaïs", "François", "Hélène", "Loïc", "Zoé", "Gaëlle",
             "Amédée", "Thérèse", "Léon", "Cécile", "Étienne", "Noémie", "Aurélien", "Marthe"]
TOPICS = ["Manuscrits", "Reliure", "Héraldique", "Paléographie", "Imprimerie", "Cartographie",
          "Philologie", "Numismatique", "Épigraphie", "Diplomatique", "Médecine", "Pharmacie",
          "Astronomie", "Botanique", "Théologie", "Droit canonique", "Musique", "Architecture"]
QUALIFIERS = ["arabes", "grecs", "latins", "hébreux", "persans", "enluminés", "musicaux",
              "scientifiques", "juridiques", "liturgiques", "médiévaux", "modernes"]
CITIES = ["Paris", "Lyon", "Strasbourg", "Bordeaux", "Toulouse", "Lille", "Rennes", "Nancy",
          "Montpellier", "Aix-en-Provence", "Grenoble", "Poitiers", "Dijon", "Caen", "Nice"]
# each city's INSEE commune code (the first five characters of its libraries' RCRs) and
# coordinates: the institutions spread over 15 departments of 12 regions, as the real ones do
COMMUNES = ["75105", "69387", "67482", "33063", "31555", "59350", "35238", "54395", "34172",
            "13001", "38185", "86194", "21231", "14118", "06088"]
COORDINATES = [(48.8462, 2.3444), (45.7485, 4.8467), (48.5839, 7.7455), (44.8378, -0.5792),
               (43.6045, 1.4440), (50.6292, 3.0573), (48.1173, -1.6778), (48.6921, 6.1844),
               (43.6108, 3.8767), (43.5297, 5.4474), (45.1885, 5.7245), (46.5802, 0.3404),
               (47.3220, 5.0415), (49.1829, -0.3707), (43.7102, 7.2620)]
DISCIPLINES = ["histoire", "histoire-medievale", "philologie", "etudes-arabes", "philosophie",
               "medecine", "pharmacie", "astronomie", "geographie", "droit", "economie",
               "histoire-du-livre", "sciences-auxiliaires", "sciences-religieuses"]


def ppn(n: int) -> str:
    base = f"9{n:07d}"
    return base + ppn_check_char(base)


def rcr(i: int) -> str:
    """The RCR of institution ``i``: its city's commune, then a number (unique per i)."""
    return f"{COMMUNES[i % len(COMMUNES)]}{2100 + i // len(COMMUNES):04d}"


class Corpus:
    def __init__(self, scale: str, seed: int) -> None:
        self.collections, self.authorities = SCALES[scale]
        self.rnd = random.Random(seed)
        self.institutions = max(5, self.collections // 100)
        n = self.authorities
        self.persons = range(1, int(n * 0.6) + 1)
        self.bodies = range(self.persons.stop, self.persons.stop + int(n * 0.15))
        self.subjects = range(self.bodies.stop, n + 1)
        # Zipf-like use of subjects: weight 1/rank.
        weights = [1 / (k + 1) for k in range(len(self.subjects))]
        self.cumulative = []
        total = 0.0
        for w in weights:
            total += w
            self.cumulative.append(total)

    def subject(self) -> int:
        x = self.rnd.random() * self.cumulative[-1]
        return self.subjects[bisect.bisect_left(self.cumulative, x)]

    def subject_label(self, n: int) -> str:
        k = n - self.subjects.start
        topic = TOPICS[k % len(TOPICS)]
        if k < len(TOPICS):
            return topic
        return f"{topic} {QUALIFIERS[k // len(TOPICS) % len(QUALIFIERS)]} {k}"

    def person_label(self, n: int) -> tuple[str, str, str]:
        rnd = random.Random(n)
        born = rnd.randint(1500, 1960)
        dates = f"{born}-{born + rnd.randint(25, 95)}" if rnd.random() < 0.85 else (
            f"{born // 100}..-{born // 100 + 1}..")
        return rnd.choice(SURNAMES), rnd.choice(FORENAMES), dates


def field(tag: str, subs: list[tuple[str, str]], i1: str = " ", i2: str = " ") -> str:
    return (f'<datafield tag="{tag}" ind1="{i1}" ind2="{i2}">'
            + "".join(f'<subfield code="{c}">{escape(v)}</subfield>' for c, v in subs)
            + "</datafield>")


def authority(c: Corpus, n: int) -> str:
    fields = []
    if n in c.persons:
        kind = "Tp5"
        surname, forename, dates = c.person_label(n)
        fields += [field("103", [("a", dates.split("-")[0])]),
                   field("200", [("a", surname), ("b", forename), ("f", dates)], i2="1"),
                   field("400", [("a", surname.upper()), ("b", forename)], i2="1"),
                   field("035", [("a", str(10_000_000 + n)), ("2", "VIAF")])]
    elif n in c.bodies:
        kind = "Tb5"
        fields += [field("210", [("a", f"Société savante de {CITIES[n % len(CITIES)]}"),
                                 ("b", f"Section {n}")], i1="0", i2="2")]
    else:
        kind = "Td6"
        fields.append(field("250", [("a", c.subject_label(n))]))
        k = n - c.subjects.start
        if k >= len(TOPICS):  # narrower than its topic
            fields.append(field("550", [("3", ppn(c.subjects.start + k % len(TOPICS))),
                                        ("5", "g"), ("a", TOPICS[k % len(TOPICS)])]))
    return ('<record><leader>     cx  a22     3  45  </leader>'
            f'<controlfield tag="001">{ppn(n)}</controlfield>'
            f'<controlfield tag="008">{kind}</controlfield>{"".join(fields)}</record>')


def tree_size(c: Corpus, i: int) -> int:
    """Components of notice ``i``: median about 50, a few over 1,000; notice 1 has 12,000."""
    if i == 1:
        return 12_000
    return min(5_000, int(c.rnd.lognormvariate(math.log(50), 1.2)))


def components(c: Corpus, i: int, total: int) -> str:
    """A realistic dsc: series of files, some with items; dates, names, places, cotes."""
    rnd = c.rnd
    parts: list[str] = []
    made = 0
    series = max(1, int(math.sqrt(total) / 2))
    for s_no in range(1, series + 1):
        if made >= total:
            break
        made += 1
        start = rnd.randint(1500, 1990)
        parts.append(f'<c level="series" id="s{s_no}"><did><unitid>{i}/{s_no}</unitid>'
                     f"<unittitle>{escape(rnd.choice(TOPICS))}</unittitle>"
                     f'<unitdate normal="{start}/{start + 20}">{start}-{start + 20}</unitdate>'
                     "</did>")
        files = (total - made) // (series - s_no + 1)
        for f_no in range(1, files + 1):
            made += 1
            person = c.persons[rnd.randrange(len(c.persons))]
            surname, forename, _ = c.person_label(person)
            linked = rnd.random() < 0.3
            auth = f' authfilenumber="{ppn(person)}" source="idref"' if linked else ""
            year = rnd.randint(start, start + 20)
            parts.append(
                f'<c level="file"><did><unitid>{i}/{s_no}/{f_no}</unitid>'
                f"<unittitle>Dossier {escape(surname)}</unittitle>"
                f'<unitdate normal="{year}">{year}</unitdate>'
                f"<physdesc><extent>{rnd.randint(1, 40)} pièces</extent></physdesc></did>"
                f"<controlaccess><persname{auth}>{escape(surname)}, {escape(forename)}"
                f"</persname><geogname>{escape(rnd.choice(CITIES))}</geogname></controlaccess>"
                "</c>")
        parts.append("</c>")
    return f"<dsc>{''.join(parts)}</dsc>" if parts else ""


def notice(c: Corpus, i: int) -> str:
    rnd = c.rnd
    inst = i % c.institutions
    calames = i % 2 == 0
    start = rnd.randint(1400, 1990)
    end = min(2020, start + rnd.randint(0, 150))
    normal = f"{start}/{end}"
    title = f"Fonds {rnd.choice(SURNAMES)} : {rnd.choice(TOPICS).lower()} ({start}-{end})"
    faulty = rnd.random()
    if faulty < 0.005:
        title = ""
    elif faulty < 0.010:
        normal = f"{start}-13-45"
    subjects = sorted({c.subject() for _ in range(rnd.randint(2, 6))})
    person = c.persons[rnd.randrange(len(c.persons))]
    surname, forename, dates = c.person_label(person)
    bad_ppn = faulty > 0.995
    creator_ppn = ppn(person)[:-1] + ("0" if ppn(person)[-1] != "0" else "1") if bad_ppn else (
        ppn(person))
    key = f"{i:07d}"
    tree = components(c, i, tree_size(c, i))
    desc = " ".join(rnd.choice(["Correspondance", "registres", "notes de travail",
                                "photographies", "cartes", "épreuves corrigées",
                                "dossiers de cours", "manuscrits"]) for _ in range(12))
    if calames:
        subj = "".join(f'<subject authfilenumber="{ppn(s)}">{escape(c.subject_label(s))}'
                       "</subject>" for s in subjects)
        body = (f'<eadheader><eadid mainagencycode="{rcr(inst)}" identifier="FileId-{key}">'
                f"calames-{rcr(inst)}-{key}</eadid></eadheader>"
                f'<archdesc level="fonds"><did><unitid type="cote">MS {i}</unitid>'
                f"<unittitle>{escape(title)}</unittitle>"
                f'<unitdate normal="{normal}">{start}-{end}</unitdate>'
                f"<physdesc><extent>{rnd.randint(1, 200)} boîtes</extent></physdesc>"
                '<langmaterial><language langcode="fre">français</language></langmaterial>'
                f'<origination><persname authfilenumber="{creator_ppn}" role="070" '
                f'normal="{escape(surname)}, {escape(forename)} ({dates})">{escape(forename)} '
                f"{escape(surname)}</persname></origination>"
                f'<repository><corpname authfilenumber="{rcr(inst)}" source="RCR">Bibliothèque'
                f" universitaire {inst}</corpname></repository></did>"
                f"<scopecontent><p>{escape(desc)}</p></scopecontent>"
                "<accessrestrict><p>Sur rendez-vous.</p></accessrestrict>"
                f"<controlaccess>{subj}</controlaccess>{tree}</archdesc>")
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE ead SYSTEM "ead.dtd">\n'
               f"<ead>{body}</ead>")
    else:
        subj = "".join(f'<subject source="rameau" authfilenumber="{ppn(s)}">'
                       f"{escape(c.subject_label(s))}</subject>" for s in subjects)
        body = (f'<eadheader><eadid mainagencycode="FR-{rcr(inst)}">FR-{rcr(inst)}-{key}</eadid>'
                f"</eadheader><archdesc level=\"collection\"><did><unitid>MS {i}</unitid>"
                f"<unittitle>{escape(title)}</unittitle>"
                f'<unitdate normal="{normal}">{start}-{end}</unitdate>'
                f"<physdesc><extent>{rnd.randint(1, 90)} volumes</extent></physdesc>"
                f"<repository>Bibliothèque universitaire {inst}</repository></did>"
                f"<scopecontent><p>{escape(desc)}</p></scopecontent>"
                f'<controlaccess><persname source="idref" authfilenumber="{creator_ppn}">'
                f"{escape(surname)}, {escape(forename)}</persname>{subj}</controlaccess>"
                f"{tree}</archdesc>")
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<ead xmlns="urn:isbn:1-931666-22-9">'
               f"{body}</ead>")
    if 0.010 <= faulty < 0.015:
        xml = xml[: len(xml) // 2]  # broken XML
    return xml


def generate(scale: str, out: Path, seed: int = 2026) -> dict[str, int]:
    c = Corpus(scale, seed)
    (out / "idref").mkdir(parents=True, exist_ok=True)
    (out / "ead").mkdir(exist_ok=True)
    (out / "lists").mkdir(exist_ok=True)
    chunk = 10_000
    for start in range(1, c.authorities + 1, chunk):
        records = "".join(authority(c, n) for n in range(start, min(start + chunk,
                                                                    c.authorities + 1)))
        (out / "idref" / f"authorities-{start // chunk:03d}.xml").write_text(
            f'<collection xmlns="http://www.loc.gov/MARC21/slim">{records}</collection>',
            encoding="utf-8")
    sub = 1000
    for i in range(c.collections):
        folder = out / "ead" / f"{i // sub:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"notice-{i:07d}.xml").write_text(notice(c, i), encoding="utf-8")
    lines = ["isil,rcr,name,city,latitude,longitude"] + [
        f"FR-{rcr(k)},{rcr(k)},Bibliothèque universitaire {k},{CITIES[k % len(CITIES)]},"
        + (f"{COORDINATES[k % len(CITIES)][0]},{COORDINATES[k % len(CITIES)][1]}"
           if k % 10 != 9 else ",")  # one in ten without coordinates (placed by its RCR)
        for k in range(c.institutions)]
    (out / "lists" / "institutions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    networks = max(3, c.collections // 300)
    lines = ["network,name,disciplines"] + [
        f"reseau-{k},Réseau thématique {k},{DISCIPLINES[k % len(DISCIPLINES)]}"
        for k in range(networks)]
    (out / "lists" / "networks.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    eadid = [(f"calames-{rcr(i % c.institutions)}-{i:07d}" if i % 2 == 0 else
              f"FR-{rcr(i % c.institutions)}-{i:07d}") for i in range(c.collections)]
    lines = ["collection,campaign,disciplines"] + [
        f"{eadid[i]},{2017 + i % 8},{DISCIPLINES[i % len(DISCIPLINES)]}"
        for i in range(0, c.collections, 7)]
    (out / "lists" / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["network,collection,title,holder,role"] + [
        f"reseau-{i % networks},{eadid[i]},,,{'collex' if i % 3 else 'third-party'}"
        for i in range(0, c.collections, 5)] + [
        f"reseau-{k},,Fonds tiers {k},Bibliothèque municipale de {CITIES[k % len(CITIES)]},"
        "third-party" for k in range(networks)]
    (out / "lists" / "members.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"collections": c.collections, "authorities": c.authorities,
            "institutions": c.institutions, "networks": networks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="S")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(generate(args.scale, args.out, args.seed))


if __name__ == "__main__":
    main()

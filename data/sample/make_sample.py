"""Writes the bundled sample notices (data/sample/ead/*.xml) from the table below.

Run from the project root: ``python data/sample/make_sample.py``. The files are committed;
this script documents how they were made and keeps them consistent. Two layouts are used, as
described in ../shared/samples/README.md:

- ``calames``: EAD 2002 without namespace, ``eadid@mainagencycode`` = RCR, ``repository/corpname``
  with ``@authfilenumber`` = RCR, names with a bare IdRef PPN in ``@authfilenumber``, the IdRef
  authorised form in ``@normal`` and a UNIMARC relator code in ``@role``; ``unitid@type="cote"``.
- ``tapir``: EAD 2002 in the ``urn:isbn:1-931666-22-9`` namespace (CCFr/TAPIR export),
  ``eadid@mainagencycode`` = ISIL, repository as text, access points with ``@source`` =
  ``idref``, ``rameau`` or ``OPP`` (BnF) and the PPN or ARK in ``@authfilenumber``.

The notices are fictional examples written for testing; their authority links are real
(see data/sample/README.md for which PPNs and ARKs are used and what they identify).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr  # noqa: TID251 - escaping only, no parsing

OUT = Path(__file__).resolve().parent / "ead"

INSTITUTIONS = {
    "bis": ("751052105", "Bibliothèque interuniversitaire de la Sorbonne", "Paris"),
    "bulac": ("751132101", "Bibliothèque universitaire des langues et civilisations", "Paris"),
    "bnus": ("674822101", "Bibliothèque nationale et universitaire de Strasbourg", "Strasbourg"),
    "enc": ("751052116", "Bibliothèque de l'École nationale des chartes", "Paris"),
    "lyon": ("693872101", "Bibliothèque Diderot de Lyon", "Lyon"),
    "biusante": ("751062103", "Bibliothèque interuniversitaire de santé", "Paris"),
}

# Real authority links (label, system, id, kind).
PASTOUREAU = ("Pastoureau, Michel (1947-....)", "idref", "027059952", "persname")
GASTON_PARIS = ("Paris, Gaston (1839-1903)", "idref", "027058352", "persname")
SIMPLICIUS = ("Simplicius (0490?-0560?)", "idref", "02790850X", "persname")
GEOPOLITIQUE = ("Géopolitique", "rameau", "027732428", "subject")
ANALYSE_DONNEES = ("Analyse des données", "rameau", "02734004X", "subject")
MONDIALISATION = ("Mondialisation", "OPP", "ark:/12148/cb125694464", "subject")
REL_INTERNATIONALES = ("Relations internationales", "OPP", "ark:/12148/cb11976886h", "subject")
RELIGIONS = ("Religions", "OPP", "ark:/12148/cb11963568t", "subject")

# key, layout, institution, level, cote, title, (date text, @normal or None), extent,
# languages, scope, history, access, origination, access points, daos
NOTICES: list[dict[str, object]] = [
    dict(key="0001", layout="calames", inst="enc", level="fonds", cote="MS 812-830",
         title="Fonds Gaston Paris : correspondance et notes de cours",
         date=("1855-1903", "1855/1903"), extent="19 boîtes d'archives (2,1 mètres linéaires)",
         langs=[("fre", "français"), ("lat", "latin"), ("ger", "allemand")],
         scope="Correspondance reçue de philologues européens, notes de cours du Collège de "
               "France sur la littérature française du Moyen Âge, brouillons d'articles pour "
               "la revue Romania.",
         history="Gaston Paris (1839-1903), philologue, professeur au Collège de France, "
                 "cofondateur de la revue Romania.",
         access="Communication sur rendez-vous, en salle de lecture de la bibliothèque.",
         orig=[GASTON_PARIS], points=[("Philologie romane", None, None, "subject"),
                                      ("Littérature médiévale", None, None, "subject"),
                                      ("Correspondance", None, None, "genreform")],
         daos=[("https://iiif.chartes.psl.eu/manifests/ms-812/manifest.json", "manifest_iiif",
                "Lettres de Paul Meyer, numérisées")]),
    dict(key="0002", layout="calames", inst="enc", level="fonds", cote="MS 1021",
         title="Papiers de travail de Michel Pastoureau sur l'héraldique médiévale",
         date=("1970-2005", "1970-01-01 / 2005-12-31"), extent="34 classeurs",
         langs=[("fre", "français")],
         scope="Fiches d'armoiries, relevés de sceaux et de vitraux, dossiers préparatoires "
               "aux travaux sur le bestiaire et sur l'histoire des couleurs.",
         history="Michel Pastoureau, historien, directeur d'études à l'École pratique des "
                 "hautes études, spécialiste de l'héraldique et de la symbolique des couleurs.",
         access="Consultation réservée aux chercheurs sur autorisation du conservateur.",
         orig=[PASTOUREAU], points=[("Héraldique", None, None, "subject"),
                                    ("Sceaux", None, None, "subject"),
                                    ("Moyen Âge", None, None, "subject")], daos=[]),
    dict(key="0003", layout="tapir", inst="bis", level="fonds", cote="MSVC 120-147",
         title="Archives de la Société des anciens textes français",
         date=("1875-1950", "1875/1950"), extent="28 cartons",
         langs=[("fre", "français")],
         scope="Procès-verbaux des séances, correspondance avec les éditeurs, comptes, "
               "épreuves corrigées des éditions de textes en ancien et moyen français.",
         history="Société savante fondée en 1875 à l'initiative de Gaston Paris et de Paul "
                 "Meyer pour publier les textes de la littérature française du Moyen Âge.",
         access="Librement communicable.",
         orig=[("Société des anciens textes français", None, None, "corpname")],
         points=[GASTON_PARIS, ("Édition savante", None, None, "subject"),
                 ("Ancien français", None, None, "subject")], daos=[]),
    dict(key="0004", layout="tapir", inst="bis", level="collection", cote="MS 2150-2188",
         title="Collection de manuscrits philosophiques grecs et latins",
         date=("XVe-XVIIe siècles", None), extent="39 volumes",
         langs=[("grc", "grec ancien"), ("lat", "latin")],
         scope="Copies humanistes de commentaires néoplatoniciens sur Aristote, dont un "
               "commentaire de Simplicius sur le traité Du ciel, annotations de lecteurs.",
         history="Collection réunie au XIXe siècle par la bibliothèque de l'Université de Paris.",
         access="Consultation sur microfilm ; originaux sur dérogation.",
         orig=[], points=[SIMPLICIUS, ("Aristote (0384-0322 av. J.-C.)", None, None,
                                       "persname"),
                          ("Néoplatonisme", None, None, "subject"),
                          ("Manuscrits grecs", None, None, "genreform")],
         daos=[("https://nubis.univ-paris1.fr/iiif/ms-2150/manifest", "manifest_iiif",
                "MS 2150, reproduction intégrale")]),
    dict(key="0005", layout="calames", inst="bulac", level="fonds", cote="MS.ARA.200-260",
         title="Manuscrits arabes de la mission de Constantine",
         date=("XVIIe-XIXe siècles", None), extent="61 manuscrits",
         langs=[("ara", "arabe")],
         scope="Traités de droit malikite, recueils de poésie, ouvrages de grammaire et "
               "copies du Coran réunis à Constantine au XIXe siècle.",
         history="Manuscrits acquis en 1868 par l'École des langues orientales.",
         access="Communication des originaux soumise à l'accord du service patrimonial.",
         orig=[], points=[("Manuscrits arabes", None, None, "genreform"),
                          ("Droit musulman", None, None, "subject"),
                          ("Constantine (Algérie)", None, None, "geogname"), RELIGIONS],
         daos=[("https://bina.bulac.fr/iiif/ms-ara-200/manifest.json", "manifest_iiif",
                "Manuscrit MS.ARA.200")]),
    dict(key="0006", layout="calames", inst="bulac", level="fonds", cote="MS.PERS.10-44",
         title="Fonds persan de l'École des langues orientales",
         date=("1600-1900", "1600/1900"), extent="35 manuscrits",
         langs=[("per", "persan")],
         scope="Manuscrits de poésie persane classique (Hafez, Saadi), chroniques et "
               "documents de chancellerie de l'époque qadjare.",
         history="Collection constituée par les professeurs de persan de l'École au XIXe siècle.",
         access="Consultation sur rendez-vous.", orig=[],
         points=[("Poésie persane", None, None, "subject"),
                 ("Iran", None, None, "geogname"), ("Manuscrits persans", None, None,
                                                    "genreform")], daos=[]),
    dict(key="0007", layout="tapir", inst="bulac", level="fonds", cote="ARCH.LO 1-95",
         title="Archives administratives de l'École des langues orientales",
         date=("1795-1914", "1795-03-30/1914-08-01"), extent="95 cartons",
         langs=[("fre", "français")],
         scope="Registres des élèves, dossiers des professeurs, correspondance avec le "
               "ministère de l'Instruction publique, programmes de cours.",
         history="L'École spéciale des langues orientales est créée par la Convention en 1795.",
         access="Librement communicable, sauf dossiers de personnel (délai de 50 ans).",
         orig=[("École spéciale des langues orientales", None, None, "corpname")],
         points=[("Enseignement supérieur", None, None, "subject"),
                 ("Langues orientales", None, None, "subject"), REL_INTERNATIONALES],
         daos=[]),
    dict(key="0008", layout="calames", inst="bnus", level="fonds", cote="MS.5.100-180",
         title="Fonds de l'Observatoire de Strasbourg : registres d'observations",
         date=("1881-1939", "1881/1939"), extent="81 registres",
         langs=[("ger", "allemand"), ("fre", "français")],
         scope="Registres d'observations astronomiques et météorologiques, calculs "
               "d'éphémérides, correspondance scientifique avec les observatoires européens.",
         history="Observatoire fondé par l'Université impériale allemande en 1881, rattaché à "
                 "l'Université de Strasbourg en 1919.",
         access="Communication sur demande motivée.",
         orig=[("Observatoire astronomique de Strasbourg", None, None, "corpname")],
         points=[("Astronomie", None, None, "subject"), ("Météorologie", None, None, "subject"),
                 ("Strasbourg (Bas-Rhin)", None, None, "geogname")],
         daos=[("https://numistral.fr/ark:/12148/bpt6k100000", "image",
                "Registre de 1881, numérisé")]),
    dict(key="0009", layout="tapir", inst="bnus", level="fonds", cote="MS.6.1-40",
         title="Papiers de la Société des sciences, agriculture et arts du Bas-Rhin",
         date=("1799-1870", "1799/1870"), extent="40 cartons",
         langs=[("fre", "français"), ("ger", "allemand")],
         scope="Mémoires soumis à la Société, rapports sur l'agriculture alsacienne, "
               "statistiques départementales et correspondance.",
         history="Société savante strasbourgeoise fondée en 1799.",
         access="Librement communicable.",
         orig=[("Société des sciences, agriculture et arts du Bas-Rhin", None, None,
                "corpname")],
         points=[("Agriculture", None, None, "subject"), ("Statistique", None, None, "subject"),
                 ANALYSE_DONNEES,
                 ("Alsace (France)", None, None, "geogname")], daos=[]),
    dict(key="0010", layout="calames", inst="bnus", level="collection", cote="MS.7.1-25",
         title="Collection de cartes et plans de l'Alsace-Moselle",
         date=("1871-1918", "1871/1918"), extent="25 portefeuilles",
         langs=[("ger", "allemand")],
         scope="Cartes topographiques, plans cadastraux et cartes militaires de la période "
               "du Reichsland Elsass-Lothringen.",
         history="Collection constituée par la bibliothèque impériale de Strasbourg.",
         access="Consultation sur rendez-vous (documents fragiles).", orig=[],
         points=[GEOPOLITIQUE, ("Cartographie", None, None, "subject"),
                 ("Alsace-Lorraine (1871-1918)", None, None, "geogname")],
         daos=[("https://iiif.bnus.fr/cartes/ms-7-1/manifest.json", "manifest_iiif",
                "Carte d'état-major, feuille de Strasbourg")]),
    dict(key="0011", layout="tapir", inst="lyon", level="fonds", cote="FA 1-60",
         title="Archives du Centre de recherches sur la géopolitique de la Méditerranée",
         date=("1962-2010", "1962/2010"), extent="60 boîtes",
         langs=[("fre", "français"), ("ara", "arabe"), ("eng", "anglais")],
         scope="Dossiers de recherche, rapports, cartes et entretiens sur les conflits et "
               "les frontières en Méditerranée depuis la décolonisation.",
         history="Centre de recherche universitaire lyonnais actif de 1962 à 2010.",
         access="Communicable après accord du directeur du centre.",
         orig=[("Centre de recherches sur la géopolitique de la Méditerranée", None, None,
                "corpname")],
         points=[GEOPOLITIQUE, MONDIALISATION, REL_INTERNATIONALES,
                 ("Méditerranée (région)", None, None, "geogname")], daos=[]),
    dict(key="0012", layout="calames", inst="lyon", level="fonds", cote="MS 5001-5040",
         title="Fonds de l'Institut de statistique de l'Université de Lyon",
         date=("1950-1995", "1950/1995"), extent="40 boîtes",
         langs=[("fre", "français")],
         scope="Cours polycopiés, mémoires d'étudiants, programmes de calcul sur cartes "
               "perforées et travaux pionniers en analyse des données.",
         history="Institut universitaire créé en 1950, intégré à l'Université Lyon 1 en 1971.",
         access="Librement communicable.",
         orig=[("Institut de statistique de l'Université de Lyon", None, None, "corpname")],
         points=[ANALYSE_DONNEES, ("Statistique", None, None, "subject"),
                 ("Informatique", None, None, "subject")], daos=[]),
    dict(key="0013", layout="tapir", inst="lyon", level="fonds", cote="MS 6100-6122",
         title="Fonds des imprimeurs lyonnais : documents commerciaux",
         date=("1520-1600", "1520/1600"), extent="23 liasses",
         langs=[("fre", "français"), ("lat", "latin"), ("ita", "italien")],
         scope="Contrats d'apprentissage, inventaires après décès d'imprimeurs, lettres de "
               "libraires italiens, privilèges royaux.",
         history="Documents réunis à partir de plusieurs dons au XIXe siècle.",
         access="Consultation sur microfilm.", orig=[],
         points=[("Imprimerie", None, None, "subject"), ("Livre", None, None, "subject"),
                 ("Lyon (Rhône)", None, None, "geogname")], daos=[]),
    dict(key="0014", layout="calames", inst="biusante", level="fonds", cote="MS 2400-2460",
         title="Fonds de la Société de médecine de Paris",
         date=("1796-1940", "1796/1940"), extent="61 cartons",
         langs=[("fre", "français")],
         scope="Registres des délibérations, mémoires présentés, rapports sur les épidémies "
               "et la vaccine, correspondance avec les médecins de province.",
         history="Société savante médicale fondée en 1796.",
         access="Librement communicable.",
         orig=[("Société de médecine de Paris", None, None, "corpname")],
         points=[("Médecine", None, None, "subject"), ("Épidémies", None, None, "subject"),
                 ("Vaccination", None, None, "subject")], daos=[]),
    dict(key="0015", layout="calames", inst="biusante", level="collection", cote="MS 5000-5050",
         title="Collection de thèses et cours manuscrits de l'École de médecine",
         date=("XVIIIe siècle", None), extent="51 volumes",
         langs=[("lat", "latin"), ("fre", "français")],
         scope="Notes de cours prises par des étudiants, thèses manuscrites de la Faculté de "
               "médecine de Paris, traités d'anatomie et de chirurgie.",
         history="Collection provenant de l'ancienne Faculté de médecine de Paris.",
         access="Consultation sur autorisation.", orig=[],
         points=[("Anatomie", None, None, "subject"), ("Chirurgie", None, None, "subject"),
                 ("Thèses et écrits académiques", None, None, "genreform")],
         daos=[("https://www.biusante.parisdescartes.fr/iiif/ms5000/manifest",
                "manifest_iiif", "MS 5000, cours d'anatomie")]),
    dict(key="0016", layout="tapir", inst="biusante", level="fonds", cote="PHARMA 1-30",
         title="Archives du Collège de pharmacie de Paris",
         date=("1777-1803", "1777/1803"), extent="30 registres",
         langs=[("fre", "français")],
         scope="Registres de réception des maîtres apothicaires, délibérations, inventaires "
               "du jardin des plantes médicinales.",
         history="Le Collège de pharmacie est créé en 1777 ; il devient l'École de pharmacie "
                 "en 1803.",
         access="Librement communicable.",
         orig=[("Collège de pharmacie (Paris)", None, None, "corpname")],
         points=[("Pharmacie", None, None, "subject"), ("Botanique", None, None, "subject")],
         daos=[]),
    dict(key="0017", layout="tapir", inst="bis", level="fonds", cote="MS 3000-3015",
         title="Papiers de l'Institut d'études islamiques de Paris",
         date=("1929-1968", "1929/1968"), extent="16 cartons",
         langs=[("fre", "français"), ("ara", "arabe")],
         scope="Correspondance, procès-verbaux du conseil, dossiers de missions au "
               "Maghreb et au Proche-Orient, programmes d'enseignement.",
         history="Institut de l'Université de Paris créé en 1929.",
         access="Communicable après accord de la direction.",
         orig=[("Institut d'études islamiques (Paris)", None, None, "corpname")],
         points=[RELIGIONS, GEOPOLITIQUE, ("Islam", None, None, "subject"),
                 ("Maghreb", None, None, "geogname")], daos=[]),
    dict(key="0018", layout="calames", inst="enc", level="fonds", cote="MS 1100-1112",
         title="Fonds d'archives de la Société française d'héraldique et de sigillographie",
         date=("1937-1990", "1937/1990"), extent="13 boîtes",
         langs=[("fre", "français")],
         scope="Procès-verbaux des séances, moulages de sceaux, correspondance avec les "
               "archives départementales, dossiers d'armoiries communales.",
         history="Société savante fondée en 1937.",
         access="Librement communicable.",
         orig=[("Société française d'héraldique et de sigillographie", None, None,
                "corpname")],
         points=[PASTOUREAU, ("Héraldique", None, None, "subject"),
                 ("Sceaux", None, None, "subject")], daos=[]),
    dict(key="0019", layout="calames", inst="bulac", level="fonds", cote="MS.TURC.1-30",
         title="Manuscrits ottomans et documents de chancellerie",
         date=("1550-1850", "1550/1850"), extent="30 manuscrits",
         langs=[("ota", "turc ottoman"), ("ara", "arabe")],
         scope="Firmans, registres de chancellerie, traités de calligraphie et recueils de "
               "poésie ottomane.",
         history="Manuscrits légués à l'École des langues orientales au XIXe siècle.",
         access="Consultation sur rendez-vous.", orig=[],
         points=[("Empire ottoman", None, None, "geogname"),
                 ("Calligraphie", None, None, "subject"), REL_INTERNATIONALES,
                 GEOPOLITIQUE], daos=[]),
    dict(key="0020", layout="tapir", inst="bnus", level="fonds", cote="MS.8.1-12",
         title="Fonds de l'Institut de recherches sur l'économie rhénane",
         date=("1945-1990", "1945/1990"), extent="12 cartons",
         langs=[("fre", "français"), ("ger", "allemand")],
         scope="Études sur les échanges transfrontaliers, la navigation rhénane et "
               "l'intégration économique européenne.",
         history="Institut universitaire strasbourgeois fondé après la Seconde Guerre mondiale.",
         access="Librement communicable.", orig=[],
         points=[MONDIALISATION, GEOPOLITIQUE, ("Rhin (cours d'eau)", None, None, "geogname"),
                 ("Économie", None, None, "subject")], daos=[]),
    dict(key="0021", layout="calames", inst="lyon", level="fonds", cote="MS 7000-7004",
         title="Papiers d'un professeur de philosophie antique lyonnais",
         date=("1890", "1890"), extent="5 cahiers",
         langs=[("fre", "français"), ("grc", "grec ancien")],
         scope="Traduction annotée du commentaire de Simplicius sur les Catégories "
               "d'Aristote, notes de cours à la Faculté des lettres de Lyon.",
         history="Professeur à la Faculté des lettres de Lyon à la fin du XIXe siècle.",
         access="Librement communicable.", orig=[],
         points=[SIMPLICIUS, ("Philosophie ancienne", None, None, "subject")], daos=[]),
]


# Component trees (the arrangement of a fonds): key -> [(cote, title, date, @normal,
# [persons], [children...])]. Fictional, as the notices.
TREES: dict[str, list[tuple[str, str, str, str, list[str], list[object]]]] = {
    "0001": [
        ("MS 812-820", "Correspondance reçue", "1855-1903", "1855/1903", [], [
            ("MS 812", "Lettres de Paul Meyer", "1858-1902", "1858/1902", ["Meyer, Paul"], []),
            ("MS 813", "Lettres de Joseph Bédier", "1889-1903", "1889/1903",
             ["Bédier, Joseph"], []),
            ("MS 814-820", "Autres correspondants, classés par ordre alphabétique",
             "1855-1903", "1855/1903", [], []),
        ]),
        ("MS 821-830", "Cours au Collège de France", "1872-1903", "1872/1903", [], [
            ("MS 821", "La poésie française au Moyen Âge : notes de cours", "1872-1880",
             "1872/1880", [], []),
            ("MS 822-830", "Leçons sur la Chanson de Roland", "1880-1903", "1880/1903", [], []),
        ]),
    ],
    "0003": [
        ("MSVC 120-125", "Procès-verbaux des séances", "1875-1950", "1875/1950", [], []),
        ("MSVC 126-140", "Correspondance avec les éditeurs", "1876-1949", "1876/1949",
         ["Didot, Ambroise Firmin"], []),
        ("MSVC 141-147", "Épreuves corrigées", "1880-1939", "1880/1939", [], []),
    ],
}


def _components(items: list[tuple[str, str, str, str, list[str], list[object]]], depth: int,
                numbered: bool) -> str:
    out = []
    for cote, title, date, normal, persons, children in items:
        tag = f"c{depth:02d}" if numbered else "c"
        level = "series" if children else "file"
        names = "".join(f"<persname>{escape(p)}</persname>" for p in persons)
        out.append(f'<{tag} level="{level}"><did><unitid>{escape(cote)}</unitid>'
                   f"<unittitle>{escape(title)}</unittitle>"
                   f'<unitdate normal="{normal}">{escape(date)}</unitdate></did>'
                   + (f"<controlaccess>{names}</controlaccess>" if names else "")
                   + _components(children, depth + 1, numbered)  # type: ignore[arg-type]
                   + f"</{tag}>")
    return "".join(out)


def _attrs(**kw: str | None) -> str:
    return "".join(f" {k}={quoteattr(v)}" for k, v in kw.items() if v)


def _name(label: str, system: str | None, ident: str | None, kind: str, *,
          role: str | None = None, layout: str) -> str:
    if layout == "calames":
        # Calames: bare PPN, IdRef form in @normal, no @source; BnF links keep @source.
        attrs = _attrs(authfilenumber=ident, normal=label if system == "idref" else None,
                       source=system if system == "OPP" else None, role=role)
    else:
        attrs = _attrs(authfilenumber=ident, source=system, role=role)
    return f"<{kind}{attrs}>{escape(label)}</{kind}>"


def render(n: dict[str, object]) -> str:
    layout = str(n["layout"])
    rcr, inst_name, city = INSTITUTIONS[str(n["inst"])]
    date_text, normal = n["date"]  # type: ignore[misc]
    langs = "".join(f'<language langcode="{c}">{escape(label)}</language>'
                    for c, label in n["langs"])  # type: ignore[attr-defined]
    orig = "".join(_name(lab, sys, ident, kind, role="070", layout=layout)
                   for lab, sys, ident, kind in n["orig"])  # type: ignore[attr-defined]
    points = "\n      ".join(_name(lab, sys, ident, kind, layout=layout)
                             for lab, sys, ident, kind in n["points"])  # type: ignore[attr-defined]
    xl = "xlink:" if layout == "tapir" else ""  # the EAD 2002 schema uses XLink attributes
    xtype = ' xlink:type="simple"' if xl else ""
    daos = "".join(
        f'\n    <dao {xl}href={quoteattr(href)} {xl}role={quoteattr(role)}'
        f' {xl}title={quoteattr(title)}{xtype}/>'
        for href, role, title in n["daos"]  # type: ignore[attr-defined]
    )
    if layout == "calames":
        header = (f'<eadid countrycode="FR" mainagencycode="{rcr}"'
                  f' identifier="FileId-{n["key"]}">calames-{rcr}-{n["key"]}</eadid>')
        repository = (f'<repository><corpname authfilenumber="{rcr}" source="RCR">'
                      f'{escape(inst_name)}</corpname></repository>')
        root = "<ead>"
        doctype = '<!DOCTYPE ead SYSTEM "ead.dtd">\n'
    else:
        header = (f'<eadid countrycode="FR" mainagencycode="FR-{rcr}">'
                  f'FR-{rcr}-{n["key"]}</eadid>')
        repository = f"<repository>{escape(inst_name)}<address><addressline>{city}"\
                     "</addressline></address></repository>"
        root = ('<ead xmlns="urn:isbn:1-931666-22-9" '
                'xmlns:xlink="http://www.w3.org/1999/xlink">')
        doctype = ""
    unitdate = (f'<unitdate{_attrs(normal=normal)} era="ce" calendar="gregorian">'
                f"{escape(date_text)}</unitdate>")
    tree = TREES.get(str(n["key"]))
    dsc = (f"\n    <dsc>{_components(tree, 1, numbered=layout == 'calames')}</dsc>"
           if tree else "")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}{root}
  <eadheader langencoding="iso639-2b">
    {header}
    <filedesc><titlestmt><titleproper>{escape(str(n["title"]))}</titleproper></titlestmt>
      <publicationstmt><publisher>{escape(inst_name)}</publisher></publicationstmt></filedesc>
    <profiledesc><langusage><language langcode="fre">français</language></langusage></profiledesc>
  </eadheader>
  <archdesc level="{n["level"]}">
    <did>
      <unitid type="cote">{escape(str(n["cote"]))}</unitid>
      <unittitle>{escape(str(n["title"]))}</unittitle>
      {unitdate}
      <physdesc><extent>{escape(str(n["extent"]))}</extent></physdesc>
      <langmaterial>{langs}</langmaterial>
      {f"<origination>{orig}</origination>" if orig else ""}
      {repository}{daos}
    </did>
    <bioghist><p>{escape(str(n["history"]))}</p></bioghist>
    <scopecontent><p>{escape(str(n["scope"]))}</p></scopecontent>
    <accessrestrict><p>{escape(str(n["access"]))}</p></accessrestrict>
    <userestrict><p>Reproduction soumise à autorisation.</p></userestrict>
    <controlaccess>
      {points}
    </controlaccess>{dsc}
  </archdesc>
</ead>
"""


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for n in NOTICES:
        name = f"{n['inst']}-{n['key']}-{n['layout']}.xml"
        (OUT / name).write_text(render(n), encoding="utf-8")
    print(f"{len(NOTICES)} notices written to {OUT}")


if __name__ == "__main__":
    main()

# ruff: noqa: RUF005  (records are built by concatenating field lists, on purpose)
"""The hostile-input corpus: malformed, malicious and odd inputs, each with its expected outcome.

Generated, not stored: ``python -m tests.hostile.corpus DIR`` writes every case into DIR (one
sub-folder per category) and ``DIR/manifest.json``; the tests call :func:`generate`. Large
cases (``large=True``, up to 300 MB) are written only when asked, at run time, and removed
by the test that uses them.

An expectation says, for the file of the case, how many records load from it (``loaded``),
which rejection it gets (``reject``, a regular expression matched against the report's
rejection messages for that file; None: no rejection), and which warning (``warn``).
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from loaders.authority import ppn_check_char

EAD_NS = 'xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink"'
DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass
class Case:
    name: str  # file name inside its category folder
    category: str
    loaded: int | None  # records loaded from the file (None: not checked)
    reject: str | None = None  # regex a rejection message for the file must match
    warn: str | None = None  # regex a warning for the file must match
    large: bool = False
    special: str | None = None  # fifo, symlink-loop, dangling, devzero, directory, devnull
    note: str = ""


Builder = Callable[[Path], None]
_counter = iter(range(1, 10**6))


def _id() -> str:
    return f"HOSTILE-{next(_counter):04d}"


def ead(eadid: str | None = None, *, title: str = "Fonds de test", did: str = "",
        archdesc: str = "", dsc: str = "", header: str = "", prolog: str = DECL,
        date: str = '<unitdate normal="1900/1950">1900-1950</unitdate>',
        attrs: str = "") -> str:
    """A small valid EAD 2002 notice (unique identifier unless given)."""
    eadid = _id() if eadid is None else eadid
    return (f'{prolog}<ead {EAD_NS}{attrs}><eadheader>'
            f'<eadid countrycode="FR" mainagencycode="FR-751052105">{eadid}</eadid>'
            f'<filedesc><titlestmt><titleproper>{title}</titleproper></titlestmt></filedesc>'
            f'{header}</eadheader><archdesc level="fonds"><did><unitid>MS {eadid}</unitid>'
            f'<unittitle>{title}</unittitle>{date}'
            f'<repository><corpname>Bibliothèque de test</corpname></repository>{did}</did>'
            f'<scopecontent><p>Correspondance et papiers.</p></scopecontent>{archdesc}'
            f'<dsc>{dsc or "<c01><did><unittitle>Dossier</unittitle></did></c01>"}</dsc>'
            '</archdesc></ead>\n')


_ppn_counter = iter(range(99100000, 99999999))


def ppn() -> str:
    first8 = str(next(_ppn_counter))
    return first8 + ppn_check_char(first8)


def unimarc_fields(p: str, name: str = "Dupont", forename: str = "Jean") -> list[tuple]:
    """(tag, ind1, ind2, [(code, value)]) of a small UNIMARC person authority; 001 first."""
    return [("001", p), ("003", f"http://www.idref.fr/{p}"), ("005", "20240101120000.000"),
            ("100", " ", " ", [("a", "20240101afrey50      ba0")]),
            ("103", " ", " ", [("a", "18500101"), ("b", "19200101")]),
            ("200", " ", "1", [("a", name), ("b", forename), ("f", "1850-1920")])]


def marcxml(fields: list[tuple], leader: str = "     cx  a22     3  45  ",
            ns: bool = True, wrap: bool = True) -> str:
    out = [f"<leader>{leader}</leader>"]
    for f in fields:
        if len(f) == 2:
            out.append(f'<controlfield tag="{f[0]}">{f[1]}</controlfield>')
        else:
            subs = "".join(f'<subfield code="{c}">{v}</subfield>' for c, v in f[3])
            out.append(f'<datafield tag="{f[0]}" ind1="{f[1]}" ind2="{f[2]}">{subs}</datafield>')
    xmlns = ' xmlns="http://www.loc.gov/MARC21/slim"' if ns else ""
    record = f"<record{xmlns if not wrap else ''}>{''.join(out)}</record>"
    return DECL + (f"<collection{xmlns}>{record}</collection>\n" if wrap else record + "\n")


FT, RT, SF = b"\x1e", b"\x1d", b"\x1f"


def iso2709(fields: list[tuple], leader: str = "     cx  a22     3  45  ") -> bytes:
    """One ISO 2709 record (lengths and directory computed)."""
    directory, body = b"", b""
    for f in fields:
        if len(f) == 2:
            data = f[1].encode() + FT
        else:
            data = (f[1] + f[2]).encode() + b"".join(SF + c.encode() + v.encode()
                                                     for c, v in f[3]) + FT
        directory += f[0].encode() + b"%04d%05d" % (len(data), len(body))
        body += data
    base = 24 + len(directory) + 1
    total = base + len(body) + 1
    lead = f"{total:05d}{leader[5:12]}{base:05d}{leader[17:24]}".encode()
    return lead + directory + FT + body + RT


INSTITUTIONS = "isil,name,city\n"
NETWORKS = "network,name,description\n"


def _cases() -> list[tuple[Case, bytes | Builder | None]]:
    cases: list[tuple[Case, bytes | Builder | None]] = []

    def add(category: str, name: str, data: bytes | str | Builder | None, loaded: int | None,
            reject: str | None = None, warn: str | None = None, **kw: object) -> None:
        body = data.encode("utf-8") if isinstance(data, str) else data
        cases.append((Case(name, category, loaded, reject, warn, **kw), body))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ XML attacks
    c = "xml-attacks"
    add(c, "xxe-file.xml", ead(prolog=DECL + '<!DOCTYPE ead [<!ENTITY x SYSTEM'
                               ' "file:///etc/passwd">]>').replace("Correspondance", "&x;"),
        0, r"declares entities")
    add(c, "xxe-http.xml", ead(prolog=DECL + '<!DOCTYPE ead [<!ENTITY x SYSTEM'
                               ' "http://127.0.0.1:9/x">]>').replace("Correspondance", "&x;"),
        0, r"declares entities")
    add(c, "xxe-parameter.xml", ead(prolog=DECL + '<!DOCTYPE ead [<!ENTITY % p SYSTEM'
                                    ' "file:///etc/passwd"> %p;]>'), 0, r"declares entities")
    add(c, "billion-laughs.xml", DECL + '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">'
                  for i in range(1, 10))
        + f"]>{ead(prolog='').replace('Correspondance', '&lol9;')}", 0, r"declares entities")
    add(c, "quadratic-blowup.xml", DECL + f'<!DOCTYPE ead [<!ENTITY a "{"x" * 50000}">]>'
        + ead(prolog="").replace("Correspondance", "&a;" * 5000), 0, r"declares entities")
    for target in ("/etc/passwd", "/dev/stdin", "/dev/zero", "/dev/urandom", "/proc/self/fd/0",
                   "http://127.0.0.1:9/ead.dtd", "ftp://127.0.0.1/ead.dtd",
                   "file:///dev/random", "../../../../etc/shadow", "ead.dtd"):
        safe = target.replace("/", "_").replace(":", "").replace(".", "_")
        add(c, f"doctype-system-{safe}.xml",
            ead(prolog=DECL + f'<!DOCTYPE ead SYSTEM "{target}">'), 1)
    add(c, "doctype-public.xml", ead(prolog=DECL + '<!DOCTYPE ead PUBLIC "+//ISBN 1-931666-00-8'
                                     '//DTD ead.dtd (Encoded Archival Description (EAD)'
                                     ' Version 2002)//EN" "/dev/stdin">'), 1)
    add(c, "doctype-fifo.xml", None, 1, special="doctype-fifo",
        note="DOCTYPE SYSTEM naming a FIFO next to the file")
    add(c, "external-parameter-entity-fifo.xml", None, 0, r"declares entities",
        special="pe-fifo")
    add(c, "xinclude.xml", ead().replace(
        "<p>Correspondance", '<p xmlns:xi="http://www.w3.org/2001/XInclude">'
        '<xi:include href="/etc/passwd" parse="text"/>Correspondance'), 1)
    add(c, "xslt-pi.xml", ead(prolog=DECL + '<?xml-stylesheet type="text/xsl"'
                              ' href="http://127.0.0.1:9/x.xsl"?>'), 1)
    add(c, "deep-nesting-100k.xml", ead(archdesc="<odd>" + "<p><emph>" * 50000
                                        + "x" + "</emph></p>" * 50000 + "</odd>"),
        0, r"malformed XML|too deep|nest")
    add(c, "deep-components.xml", ead(dsc="<c><did><unittitle>c</unittitle></did>" * 300
                                      + "</c>" * 300), 0, r"nested deeper than 256")
    add(c, "components-depth-60.xml", ead(dsc="<c><did><unittitle>c</unittitle></did>" * 60
                                          + "</c>" * 60), 1)
    add(c, "many-attributes.xml", ead(attrs="".join(f' a{i}="v"' for i in range(20000))), 1)
    add(c, "huge-attribute.xml", ead(attrs=f' audience="{"x" * 5_000_000}"'), 1)
    add(c, "long-element-name.xml", ead(archdesc=f"<{'x' * 60000}/>"), 0, r"name longer")
    add(c, "long-unknown-element.xml", ead(archdesc=f"<{'x' * 500}/>"), 1)
    add(c, "many-namespaces.xml", ead(attrs="".join(f' xmlns:n{i}="urn:n{i}"'
                                                    for i in range(5000))), 1)
    add(c, "cdata-markup.xml", ead().replace("Correspondance", "<![CDATA[<script>alert(1)"
                                             "</script>]]>"), 1)
    add(c, "script-in-title.xml", ead(title="&lt;script&gt;alert(1)&lt;/script&gt;"), 1)
    add(c, "leading-comment-8k.xml", DECL + "<!--" + "c" * 8200 + "-->\n" + ead(prolog=""), 1)
    add(c, "leading-comment-70k.xml", DECL + "<!--" + "c" * 70000 + "-->\n" + ead(prolog=""),
        1)
    add(c, "whitespace-before-declaration.xml", "\n\n   " + ead(prolog=DECL), 0,
        r"XML declaration allowed only at the start")
    add(c, "leading-pi-and-whitespace.xml", ead(prolog=DECL + "\n  <?foo bar?>\n  \n"), 1)
    add(c, "two-roots.xml", ead() + ead(prolog=""), 0, r"malformed XML")
    add(c, "text-after-root.xml", ead() + "garbage", 0, r"malformed XML")
    add(c, "dtd-internal-no-entities.xml",
        ead(prolog=DECL + '<!DOCTYPE ead [<!ELEMENT ead ANY><!ATTLIST ead audience CDATA'
            ' "internal">]>'), 1)
    add(c, "namespace-undeclared-prefix.xml", ead().replace("<scopecontent>",
                                                            "<scopecontent><x:y/>"),
        0, r"malformed XML|[Nn]amespace")
    add(c, "ead-wrong-namespace.xml",
        ead().replace("urn:isbn:1-931666-22-9", "http://example.org/not-ead"), 1,
        warn=r"namespace 'http://example.org/not-ead'")

    # ------------------------------------------------------------------ entities
    c = "entities"
    add(c, "html-entity-text.xml", ead(prolog=DECL + '<!DOCTYPE ead SYSTEM "ead.dtd">',
                                       title="Caf&eacute; &amp; th&eacute;"), 1,
        warn=r"&eacute;")
    add(c, "html-entity-attribute.xml", ead(
        prolog=DECL + '<!DOCTYPE ead SYSTEM "ead.dtd">',
        did='<physdesc label="caf&eacute;">2 cartons</physdesc>'), 1, warn=r"&eacute;")
    add(c, "unknown-entity.xml", ead(prolog=DECL + '<!DOCTYPE ead SYSTEM "ead.dtd">',
                                     title="X &nosuchentity; Y"), 0, r"undefined entity")
    add(c, "unknown-entity-in-attribute.xml", ead(
        prolog=DECL + '<!DOCTYPE ead SYSTEM "ead.dtd">',
        did='<physdesc label="a &nosuch; b">2 cartons</physdesc>'), 0, r"undefined entity|nosuch")
    add(c, "entity-no-doctype.xml", ead(title="Caf&eacute;"), 1, warn=r"&eacute;")
    for n in (10_000, 40_000, 200_000):
        add(c, f"entities-{n}.xml", ead(prolog=DECL + '<!DOCTYPE ead SYSTEM "ead.dtd">',
                                        archdesc="<odd><p>" + "&eacute;" * n + "</p></odd>"),
            1, warn=r"&eacute;")
    add(c, "entities-1M.xml", ead(prolog=DECL + '<!DOCTYPE ead SYSTEM "ead.dtd">',
                                  archdesc="<odd><p>" + "&eacute;x" * 1_000_000 + "</p></odd>"),
        1, warn=r"&eacute;", large=True)
    add(c, "entities-spread-1M.xml", ead(
        prolog=DECL + '<!DOCTYPE ead SYSTEM "ead.dtd">',
        archdesc="<odd>" + "<p>&eacute;</p>" * 300_000 + "</odd>"), 1, warn=r"&eacute;",
        large=True)
    for ref, ok in (("&#233;", True), ("&#xE9;", True), ("&#0;", False), ("&#xD800;", False),
                    ("&#x110000;", False), ("&#1;", False), ("&#65535;", False),
                    ("&#x1F600;", True), ("&#99999999999;", False), ("&#x;", False)):
        safe = ref.strip("&#;").replace("x", "hex") or "empty"
        add(c, f"charref-{safe}.xml", ead(title=f"Titre {ref} fin"), 1 if ok else 0,
            None if ok else r"malformed XML")
    add(c, "predefined-entities.xml", ead(title="&lt;&gt;&amp;&apos;&quot;"), 1)
    add(c, "entity-in-eadid.xml", ead(eadid="HOSTILE-&eacute;", prolog=DECL), 1,
        warn=r"&eacute;")

    # ------------------------------------------------------------------ encodings
    c = "encodings"
    def base() -> str:
        return ead(title="Évêché d'Éphèse — œuvres")

    add(c, "utf8-bom.xml", b"\xef\xbb\xbf" + base().encode(), 1)
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                       ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff")):
        add(c, f"{codec}-bom.xml", bom + base().replace(
            'encoding="UTF-8"', f'encoding="{codec[:6].upper()}"').encode(codec), 1)
        add(c, f"{codec}-nobom.xml", base().replace(
            'encoding="UTF-8"', f'encoding="{codec[:6].upper()}"').encode(codec), 1)
    add(c, "utf16-no-declaration.xml",
        b"\xff\xfe" + base().replace(DECL, "").encode("utf-16-le"), 1)
    add(c, "latin1-declared.xml",
        base().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .replace("—", "-").replace("œ", "oe").encode("latin-1"), 1)
    add(c, "windows1252-declared.xml",
        base().replace('encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252"), 1)
    add(c, "latin1-undeclared.xml",
        base().replace("—", "-").replace("œ", "oe").encode("latin-1"), 0,
        r"UTF-8|encoding|malformed XML")
    add(c, "unknown-encoding.xml", base().replace('encoding="UTF-8"', 'encoding="X-NOPE-7"'),
        0, r"encoding|unreadable|malformed")
    add(c, "ebcdic-declared.xml", base().replace('encoding="UTF-8"', 'encoding="EBCDIC-US"'),
        0, r"encoding|unreadable|malformed")
    add(c, "utf7-declared.xml", base().replace('encoding="UTF-8"', 'encoding="UTF-7"'),
        0, r"encoding")
    for label, bad in (("overlong", b"\xc0\xaf"), ("surrogate", b"\xed\xa0\x80"),
                       ("truncated-seq", b"\xe2\x82"), ("lone-continuation", b"\x80"),
                       ("fe-ff", b"\xfe\xff"), ("five-byte", b"\xf8\x88\x80\x80\x80")):
        add(c, f"bad-utf8-{label}.xml", base().encode().replace(
            b"Correspondance", b"Corr" + bad + b"espondance", 1),
            0, r"UTF-8|encoding|malformed XML|not proper")
    for ctl in (0, 1, 8, 11, 12, 27, 127):
        add(c, f"control-char-{ctl}.xml",
            base().encode().replace(b"Correspondance", b"Corr" + bytes([ctl]) + b"espondance"),
            1 if ctl == 127 else 0, None if ctl == 127 else r"malformed XML|[Cc]har")
    add(c, "nul-bytes-everywhere.xml", b"\x00".join(bytes([b]) for b in base().encode()), 0,
        r".")
    add(c, "nfd-accents.xml", ead(title="E\u0301ve\u0302che\u0301"), 1)
    add(c, "rtl-and-cjk.xml", ead(title="مخطوطات عربية — 漢籍 — Ελληνικά"), 1)
    add(c, "bidi-override.xml", ead(title="abc\u202edcba\u202c"), 1)
    add(c, "zero-width.xml", ead(title="Fo\u200bnds\ufeff"), 1)
    add(c, "astral-plane.xml", ead(title="Fonds 𝔊𝔬𝔱𝔥𝔦𝔠 😀"), 1)
    add(c, "noncharacter-fffe.xml", ead(title="Fonds \ufffe"), 0, r"malformed XML|[Cc]har")
    add(c, "declared-utf8-is-utf16.xml", base().encode("utf-16-le"), 1)

    # ------------------------------------------------------------------ truncations
    c = "truncations"
    full = ead(dsc="".join(f'<c01 id="c{i}"><did><unittitle>Dossier {i}</unittitle>'
                           f'<unitdate normal="19{i % 100:02d}">19{i % 100:02d}</unitdate>'
                           '</did></c01>' for i in range(200))).encode()
    for pct in (1, 5, 10, 25, 50, 75, 90, 99):
        add(c, f"ead-cut-{pct}pct.xml", full[: len(full) * pct // 100], 0,
            r"malformed XML|truncated|empty|not recognised|not an XML")
    add(c, "ead-cut-in-tag.xml", full[: full.index(b"<unittitle>Dossier 7") + 5], 0,
        r"malformed XML")
    add(c, "ead-cut-in-attribute.xml", full[: full.index(b'id="c9') + 5], 0, r"malformed XML")
    add(c, "ead-cut-in-utf8.xml", ead(title="Évêché" * 10).encode()[:200 + 1], 0, r".")
    add(c, "ead-cut-before-root-end.xml", full[: full.rindex(b"</ead>")], 0, r"malformed XML")
    two = [unimarc_fields(ppn()) for _ in range(3)]
    mx = (DECL + '<collection xmlns="http://www.loc.gov/MARC21/slim">'
          + "".join(marcxml(f, wrap=False).replace(DECL, "") for f in two) + "</collection>")
    cut = mx[: mx.rindex("<record") + 200]
    add(c, "marcxml-cut-third-record.xml", cut, 2, r"malformed XML|rest of the file")
    iso = b"".join(iso2709(unimarc_fields(ppn())) for _ in range(3))
    add(c, "iso2709-cut-third-record.mrc", iso[: len(iso) - 40], 2, r"damaged|ISO 2709")
    add(c, "iso2709-cut-in-leader.mrc", iso[:10], 0, r".")
    csv_rows = INSTITUTIONS + "".join(f'FR-99980{i:04d},"Institution {i}, test",Ville\n'
                                      for i in range(5))
    add(c, "institutions-cut-in-quote.csv", csv_rows[: csv_rows.rindex('"Institution 4') + 8],
        4, r"quote|cut|damaged|unterminated", warn=None)
    add(c, "oai-cut.xml", "<?xml version='1.0'?><OAI-PMH xmlns='http://www.openarchives.org/"
        "OAI/2.0/'><responseDate>2024-01-01T00:00:00Z</responseDate><request verb='ListRecords'"
        " metadataPrefix='ead'>http://x/oai</request><ListRecords><record><header>"
        "<identifier>oai:x:1</identifier>", 0, r".")

    # ------------------------------------------------------------------ garbage
    c = "garbage"
    rnd = random.Random(12)
    for i in range(8):
        add(c, f"random-{i}.xml", bytes(rnd.randrange(256) for _ in range(4096 * (i + 1))), 0,
            r".")
    add(c, "empty.xml", b"", 0, r"empty")
    add(c, "whitespace.xml", b"   \n\t\r\n   ", 0, r"empty")
    add(c, "only-bom.xml", b"\xef\xbb\xbf", 0, r"empty|not")
    add(c, "only-declaration.xml", DECL, 0, r"malformed|empty|not recognised|no")
    add(c, "png.xml", b"\x89PNG\r\n\x1a\n" + bytes(200), 0, r"PNG|not recognised|format")
    add(c, "pdf.xml", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", 0, r"PDF|not recognised|format")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("notice.xml", ead())
    add(c, "zipped-ead.xml", zbuf.getvalue(), 0, r"ZIP|zip|not recognised|format")
    add(c, "gzipped-ead.xml", gzip.compress(ead().encode()), 0, r"gzip|not recognised|format")
    add(c, "bzipped-ead.xml", bz2.compress(ead().encode()), 0, r"bzip|not recognised|format")
    add(c, "html-page.xml", "<!DOCTYPE html><html><head><title>404</title></head><body>Not"
        " found</body></html>", 0, r"HTML|not recognised|format")
    add(c, "json.xml", '{"eadid": "x"}', 0, r"JSON|not recognised|format")
    add(c, "turtle.xml", "@prefix ex: <http://ex.org/> . ex:a ex:b ex:c .", 0,
        r"Turtle|not recognised|format")
    add(c, "tei.xml", DECL + '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/></TEI>', 0,
        r"TEI|not recognised|format")
    add(c, "dublin-core-alone.xml", DECL + '<dc xmlns="http://purl.org/dc/elements/1.1/">'
        "<title>x</title></dc>", 0, r"Dublin Core")
    add(c, "ead-word-in-comment.xml", DECL + "<!-- <ead> --><html/>", 0, r".")
    add(c, "svg.xml", DECL + '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
        "</script></svg>", 0, r"SVG|svg|not recognised|format")
    add(c, "binary-with-csv-ext.csv", bytes(rnd.randrange(256) for _ in range(2048)), 0, r".")
    add(c, "binary-with-mrc-ext.mrc", bytes(rnd.randrange(256) for _ in range(2048)), 0, r".")
    add(c, "digits-only.mrc", b"0" * 5000, 0, r".")

    # ------------------------------------------------------------------ ISO 2709 damage
    c = "iso2709"
    def good_one() -> bytes:
        return iso2709(unimarc_fields(ppn()))

    def damaged(change: Callable[[bytes], bytes]) -> bytes:
        return good_one() + change(good_one()) + good_one()

    add(c, "three-good.mrc", good_one() + good_one() + good_one(), 3)
    add(c, "leader-length-wrong.mrc", damaged(lambda r: b"99999" + r[5:]), 2,
        r"damaged ISO 2709")
    add(c, "leader-length-letters.mrc", damaged(lambda r: b"ABCDE" + r[5:]), 2,
        r"damaged ISO 2709")
    add(c, "base-address-wrong.mrc", damaged(lambda r: r[:12] + b"00010" + r[17:]), 2,
        r"damaged ISO 2709|no PPN")
    add(c, "directory-not-12.mrc", damaged(lambda r: r[:30] + r[31:]), 2,
        r"damaged ISO 2709")
    add(c, "field-terminator-missing.mrc", damaged(lambda r: r.replace(FT, b"#", 2)), 2,
        r"damaged ISO 2709")
    add(c, "offset-beyond-record.mrc", damaged(lambda r: r[:31] + b"99999" + r[36:]), 2,
        r"damaged ISO 2709")
    add(c, "invalid-utf8-in-field.mrc", damaged(lambda r: r.replace(b"Dupont",
                                                                         b"Dup\xffnt")), 2,
        r"damaged ISO 2709|UTF-8")
    add(c, "no-record-terminator.mrc", good_one()[:-1], 1)
    add(c, "crlf-between-records.mrc", good_one() + b"\r\n" + good_one() + b"\r\n", 2)
    add(c, "nul-padding.mrc", good_one() + b"\x00" * 1000, 1)
    big_dir = unimarc_fields(ppn()) + [("810", " ", " ", [("a", f"Source {i}")])
                                       for i in range(400)]
    add(c, "directory-over-4k.mrc", iso2709(big_dir), 1)
    add(c, "directory-over-64k.mrc", iso2709(unimarc_fields(ppn()) + [
        ("810", " ", " ", [("a", f"S{i}")]) for i in range(6000)]), 0, r"leader",
        note="over 99,999 bytes: no valid ISO 2709 leader can say its length")
    add(c, "record-99999-bytes.mrc", iso2709(unimarc_fields(ppn()) + [
        ("810", " ", " ", [("a", "x" * 9000)]) for _ in range(10)]), 1)
    add(c, "lowercase-leader.mrc", b"abcde" + good_one()[5:], 0, r"damaged|format|not")
    add(c, "marc21-bib.mrc", iso2709(
        [("001", ppn()), ("008", "240101s2020    fr            000 0 fre d"),
         ("245", "1", "0", [("a", "Un livre")]), ("250", " ", " ", [("a", "2e éd.")])],
        leader="     nam a22     4i 4500"), 0, r"MARC21|bibliographic")
    add(c, "marc21-authority.mrc", iso2709(
        [("001", ppn()), ("008", "240101n| azannaabn          |a aaa      "),
         ("040", " ", " ", [("a", "DLC")]), ("100", "1", " ", [("a", "Dupont, Jean")])],
        leader="     nz  a22     n  4500"), 0, r"MARC21")
    add(c, "unimarc-bib.mrc", iso2709(
        [("001", ppn()), ("100", " ", " ", [("a", "20240101d2020    u  y0frey0103    ba")]),
         ("200", "1", " ", [("a", "Un livre"), ("f", "Jean Dupont")]),
         ("205", " ", " ", [("a", "2e éd.")])], leader="     nam0 22     1i 450 "),
        0, r"bibliographic")
    add(c, "many-records-one-bad-leader-char.mrc",
        good_one() + good_one() + good_one() + b"0003x" + good_one()[5:] + good_one(), 4,
        r"damaged ISO 2709")

    # ------------------------------------------------------------------ MARCXML variants
    c = "marcxml"
    add(c, "unimarc-authority.xml", marcxml(unimarc_fields(ppn())), 1)
    add(c, "unimarc-authority-bare.xml", marcxml(unimarc_fields(ppn()), ns=False, wrap=False), 1)
    add(c, "unimarc-authority-prefixed.xml",
        marcxml(unimarc_fields(ppn())).replace("<", "<marc:").replace("<marc:/", "</marc:")
        .replace("<marc:?xml", "<?xml").replace('xmlns="', 'xmlns:marc="'), 1)
    add(c, "unimarc-bib-ppn.xml", marcxml(
        [("001", ppn()), ("100", " ", " ", [("a", "20240101d2020    u  y0frey0103    ba")]),
         ("200", "1", " ", [("a", "Un livre")]), ("205", " ", " ", [("a", "2e éd.")]),
         ("606", " ", " ", [("a", "Histoire")])], leader="     nam0 22     1i 450 "),
        0, r"bibliographic")
    add(c, "marc21-bib-ppn.xml", marcxml(
        [("001", ppn()), ("008", "240101s2020    fr            000 0 fre d"),
         ("245", "1", "0", [("a", "Un livre")]), ("250", " ", " ", [("a", "2e éd.")])],
        leader="     nam a22     4i 4500"), 0, r"MARC21.*bibliographic|bibliographic.*MARC21")
    add(c, "marc21-authority.xml", marcxml(
        [("001", ppn()), ("008", "240101n| azannaabn          |a aaa      "),
         ("040", " ", " ", [("a", "DLC")]), ("100", "1", " ", [("a", "Dupont, Jean")])],
        leader="     nz  a22     n  4500"), 0, r"MARC21.*authorit|authorit.*MARC21")
    add(c, "marc21-authority-loc-id.xml", marcxml(
        [("001", "n  79021164"), ("008", "800303n| acannaabn          |a aaa      "),
         ("100", "1", " ", [("a", "Hugo, Victor,"), ("d", "1802-1885")])],
        leader="     cz  a2200181n  4500"), 0, r"MARC21")
    add(c, "marc21-holdings.xml", marcxml(
        [("001", ppn()), ("852", " ", " ", [("b", "Main")])],
        leader="     nx  a22     1n 4500"), 0, r"MARC21|holdings|not an authority")
    add(c, "no-001.xml", marcxml(unimarc_fields(ppn())[1:]), 0, r"PPN|001")
    add(c, "bad-check-digit.xml", marcxml([("001", "991000001")] + unimarc_fields(ppn())[1:]),
        0, r"PPN|check")
    add(c, "ppn-with-spaces.xml", marcxml([("001", f" {ppn()} ")] + unimarc_fields(ppn())[1:]),
        1)
    add(c, "two-001.xml", marcxml([("001", ppn())] + unimarc_fields(ppn())), 0, r"two 001")
    add(c, "no-heading.xml", marcxml(unimarc_fields(ppn())[:5]), 0, r"no heading")
    add(c, "empty-collection.xml", DECL + '<collection xmlns="http://www.loc.gov/MARC21/slim"/>',
        0, r"no authority record|no record|not")
    add(c, "leader-missing.xml", marcxml(unimarc_fields(ppn())).replace(
        "<leader>     cx  a22     3  45  </leader>", ""), 1)
    add(c, "leader-short.xml", marcxml(unimarc_fields(ppn()), leader="cx"), 1)
    add(c, "huge-subfield.xml", marcxml(unimarc_fields(ppn()) + [
        ("300", " ", " ", [("a", "note " * 200_000)])]), 1)
    add(c, "many-fields.xml", marcxml(unimarc_fields(ppn()) + [
        ("810", " ", " ", [("a", f"Source {i}")]) for i in range(20000)]), 1)
    add(c, "control-chars-in-subfield.xml", marcxml(unimarc_fields(ppn(), name="Du\x1fpont")),
        0, r"malformed XML|[Cc]har")
    add(c, "subfield-code-empty.xml", marcxml(unimarc_fields(ppn())).replace(
        'code="b"', 'code=""'), 1)
    add(c, "datafield-tag-garbage.xml", marcxml(unimarc_fields(ppn()) + [
        ("<>", " ", " ", [("a", "x")])]).replace('tag="<>"', 'tag="&lt;&gt;"'), 1)
    add(c, "mixed-good-and-bib.xml", DECL + '<collection xmlns="http://www.loc.gov/MARC21/slim">'
        + marcxml(unimarc_fields(ppn()), wrap=False).replace(DECL, "")
        + marcxml([("001", ppn()), ("200", "1", " ", [("a", "Livre")])],
                  leader="     nam0 22     1i 450 ", wrap=False).replace(DECL, "")
        + "</collection>", 1, r"bibliographic")
    add(c, "rdf-empty.rdf", DECL + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
        'syntax-ns#"/>', 0, r"no IdRef entity")
    add(c, "rdf-bad-iri.rdf", DECL + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
        'syntax-ns#"><rdf:Description rdf:about="http://[::1"><rdf:type rdf:resource='
        '"http://x"/></rdf:Description></rdf:RDF>', 0, r".")

    # ------------------------------------------------------------------ CSV lists
    c = "csv"

    def inst(rows: str, header: str = INSTITUTIONS) -> str:
        return header + rows

    add(c, "institutions-ok.csv", inst("FR-999900001,Institution A,Paris\n"), 1)
    add(c, "institutions-semicolon.csv",
        inst("FR-999900002;Institution B;Lyon\n", "isil;name;city\n"), 1)
    add(c, "institutions-tab.csv", inst("FR-999900003\tInstitution C\tLille\n",
                                        "isil\tname\tcity\n"), 1)
    add(c, "institutions-crlf.csv", inst("FR-999900004,Institution D,Nice\r\n",
                                         "isil,name,city\r\n"), 1)
    add(c, "institutions-bom.csv", b"\xef\xbb\xbf" + inst("FR-999900005,Institution E,Metz\n")
        .encode(), 1)
    add(c, "institutions-latin1.csv", inst("FR-999900006,Bibliothèque É,Sète\n")
        .encode("latin-1"), 1, warn=r"Latin-1|latin|Windows-1252|encoding")
    add(c, "institutions-utf16.csv", b"\xff\xfe" + inst("FR-999900007,Institution G,Caen\n")
        .encode("utf-16-le"), 1)
    add(c, "institutions-unbalanced-quote.csv",
        inst('FR-999900008,"Institution H,Paris\nFR-999900009,Institution I,Paris\n'),
        0, r"quote")
    add(c, "institutions-quote-in-middle.csv",
        inst('FR-999900010,Institution "J" x,Paris\n'), 1)
    add(c, "institutions-extra-column.csv", inst("FR-999900011,Institution K,Paris,extra\n"),
        0, r"column|field")
    add(c, "institutions-missing-column.csv", inst("FR-999900012,Institution L\n"), 1)
    add(c, "institutions-missing-required-column.csv", "isil,city\nFR-999900013,Paris\n", 0,
        r"required column")
    add(c, "institutions-empty-rows.csv", inst("\n\nFR-999900014,Institution N,Paris\n,,\n\n"),
        1)
    add(c, "institutions-header-only.csv", INSTITUTIONS, 0, r"no row|empty|header")
    add(c, "institutions-duplicate-header.csv", "isil,name,name\nFR-999900015,A,B\n", 0,
        r"column|duplicate|twice")
    add(c, "institutions-duplicate-isil.csv", inst("FR-999900016,A,Paris\nFR-999900016,B,Lyon\n"),
        1, r"duplicate|twice|same|already")
    add(c, "institutions-bad-isil.csv", inst("not an isil,Institution P,Paris\n"), 0,
        r"ISIL|isil")
    add(c, "institutions-bad-coordinates.csv",
        "isil,name,latitude,longitude\nFR-999900017,Q,91.5,abc\n", 1, None, r"coordinates")
    add(c, "institutions-bad-website.csv",
        "isil,name,website\nFR-999900018,R,http://[::1\n", 1, r"homepage left out.*IRI")
    add(c, "institutions-javascript-website.csv",
        "isil,name,website\nFR-999900019,S,javascript:alert(1)\n", 1, None,
        r"website|URL|IRI|link|address")
    for k, (safe, cell) in enumerate((("eq", "=cmd|' /C calc'!A0"), ("plus", "+1+1"),
                                      ("minus", "-2+3"), ("at", "@SUM(A1)"), ("tab", "\tx"),
                                      ("cr", "\rx"))):
        quoted = '"' + cell.replace('"', '""') + '"'
        add(c, f"institutions-formula-{safe}.csv",
            f"isil,name,city\nFR-99990002{k},{quoted},Paris\n", 1)
    add(c, "institutions-nul.csv", inst("FR-999900030,Inst\x00itution,Paris\n"), 1,
        warn=r"control characters")
    add(c, "institutions-long-cell.csv", inst(f"FR-999900031,{'x' * 2_000_000},Paris\n"), 1)
    add(c, "institutions-10k-columns.csv", "isil,name," + ",".join(f"c{i}" for i in range(10000))
        + "\nFR-999900032,T\n", 1, warn=r"unknown column")
    add(c, "networks-ok.csv", NETWORKS + "hostile-net-1,Réseau hostile,Description\n", 1)
    add(c, "networks-bad-id.csv", NETWORKS + "../../etc,Réseau,Description\n", 0, r"network")
    add(c, "networks-space-id.csv", NETWORKS + "réseau hostile 2,Réseau,Description\n", 0,
        r"network")
    add(c, "members-unknown-network.csv",
        "network,role,collection\nno-such-network,collex,calames-751052116-0001\n", 0,
        r"network")
    add(c, "members-unknown-collection.csv",
        "network,role,collection\nphilologie-medievale,collex,NO-SUCH-COLLECTION\n", 0,
        r"collection")
    add(c, "members-bad-role.csv",
        "network,role,title,holder\nphilologie-medievale,sorcerer,Fonds X,Y\n", 0, r"role")
    add(c, "labels-bad-campaign.csv", "collection,campaign,disciplines\n"
        "calames-751052116-0001,20x8,philologie\n", 0, r"campaign")
    add(c, "labels-unknown-discipline.csv", "collection,campaign,disciplines\n"
        "calames-751052116-0001,2018,alchimie\n", 0, r"discipline")
    add(c, "unknown-header.csv", "foo,bar,baz\n1,2,3\n", 0, r"column|list|header|recognis")
    add(c, "csv-only-newlines.csv", "\n\n\n", 0, r"empty")
    add(c, "csv-excel-sep-line.csv", "sep=;\nisil;name\nFR-999900033;U\n", 1)

    # ------------------------------------------------------------------ EAD semantics
    c = "ead-semantics"
    add(c, "no-eadid.xml", ead().replace(
        ead_id_line := '<eadid countrycode="FR" mainagencycode="FR-751052105">', "<eadid>"), 1)
    del ead_id_line
    add(c, "empty-eadid.xml", ead(eadid=""), 1)
    add(c, "whitespace-eadid.xml", ead(eadid="   "), 1)
    add(c, "eadid-with-slashes.xml", ead(eadid="../../etc/passwd"), 1)
    add(c, "eadid-huge.xml", ead(eadid="X" * 100_000), 1)
    add(c, "eadid-unicode.xml", ead(eadid="HOSTILE-Ω-東京"), 1)
    add(c, "reversed-range.xml", ead(date="<unitdate>1850-1790</unitdate>"), 1,
        warn=r"1850-1790|revers")
    add(c, "reversed-normal.xml", ead(date='<unitdate normal="1850/1790">1850-1790</unitdate>'),
        1, warn=r"1850|revers")
    add(c, "circa.xml", ead(date="<unitdate>ca. 1900</unitdate>"), 1, warn=r"ca\.|approx")
    add(c, "vers.xml", ead(date="<unitdate>vers 1900</unitdate>"), 1, warn=r"vers|approx")
    add(c, "sans-date.xml", ead(date="<unitdate>s.d.</unitdate>"), 1, warn=r"undated")
    add(c, "bad-normal-month.xml", ead(date='<unitdate normal="1900-13-32">1900</unitdate>'), 1,
        warn=r"1900-13-32")
    add(c, "bad-normal-garbage.xml", ead(date='<unitdate normal="abc/def">quelque</unitdate>'), 1,
        warn=r"abc")
    add(c, "normal-feb-30.xml", ead(date='<unitdate normal="1900-02-30">1900</unitdate>'), 1,
        warn=r"1900-02-30")
    add(c, "year-zero.xml", ead(date='<unitdate normal="0000">an 0</unitdate>'), 1)
    add(c, "negative-year.xml", ead(date='<unitdate normal="-0500/-0400">Ve s. av. J.-C.'
                                         '</unitdate>'), 1)
    add(c, "year-99999.xml", ead(date='<unitdate normal="99999">futur</unitdate>'), 1,
        warn=r"99999")
    add(c, "century-text.xml", ead(date="<unitdate>XIXe siècle</unitdate>"), 1)
    add(c, "dao-bad-ipv6.xml", ead(archdesc='<dao href="http://[::1"/>'), 1,
        r"not IRIs at all.*http://\[::1")
    add(c, "dao-xlink-bad.xml", ead(archdesc='<dao xlink:href="http://exa mple.org/x y"/>'), 1,
        warn=r"exa mple|link|IRI")
    add(c, "dao-javascript.xml", ead(archdesc='<dao href="javascript:alert(1)"/>'), 1,
        warn=r"javascript")
    add(c, "dao-relative.xml", ead(archdesc='<dao href="images/1.jpg"/>'), 1)
    add(c, "dao-data-uri.xml", ead(archdesc='<dao href="data:text/html,&lt;script&gt;"/>'), 1,
        r"not IRIs at all.*data:")
    add(c, "dao-control-char.xml", ead(archdesc='<dao href="http://ex.org/a&#9;b"/>'), 1,
        r"not IRIs at all")
    add(c, "dao-in-component-bad.xml", ead(dsc='<c01><did><unittitle>d</unittitle>'
                                                '<dao href="http://[::1"/></did></c01>'), 1,
        r"component p-1: 'http://\[::1'")
    add(c, "extref-bad.xml", ead(archdesc='<odd><p><extref href="http://[x"/>voir</p></odd>'), 1,
        r"not IRIs at all")
    add(c, "otherfindaid-bad-url.xml", ead(archdesc='<otherfindaid><p><extref href="ht tp://x">'
                                                    'x</extref></p></otherfindaid>'), 1)
    add(c, "langcode-invalid.xml", ead(did='<langmaterial><language langcode="zzzzzz">x'
                                           '</language></langmaterial>'), 1)
    add(c, "countrycode-invalid.xml", ead().replace('countrycode="FR"', 'countrycode="1!"'), 1)
    add(c, "isil-invalid.xml", ead().replace('mainagencycode="FR-751052105"',
                                             'mainagencycode="not an isil"'), 1)
    add(c, "authfilenumber-bad.xml", ead(did='<origination><persname source="idref"'
                                             ' authfilenumber="123">X</persname></origination>'),
        1, warn=r"123|PPN")
    add(c, "authfilenumber-iri-injection.xml", ead(
        did='<origination><persname source="idref" authfilenumber="02705835&gt; &lt;x">X'
            '</persname></origination>'), 1, warn=r"PPN|authfilenumber|IdRef")
    add(c, "empty-title.xml", ead(title=""), 0, r"title")
    add(c, "title-200k.xml", ead(title="T" * 200_000), 1)
    add(c, "no-archdesc.xml", DECL + f"<ead {EAD_NS}><eadheader><eadid>{_id()}</eadid>"
        "</eadheader></ead>", 0, r".")
    add(c, "no-dsc.xml", ead().replace("<dsc><c01><did><unittitle>Dossier</unittitle></did>"
                                       "</c01></dsc>", ""), 1)
    add(c, "empty-dsc.xml", ead(dsc=" "), 1)
    add(c, "duplicate-component-ids.xml", ead(dsc='<c01 id="a"><did><unittitle>a</unittitle>'
                                                  '</did></c01><c01 id="a"><did><unittitle>b'
                                                  '</unittitle></did></c01>'), 1)
    add(c, "component-id-iri-unsafe.xml", ead(dsc='<c01 id="a b&lt;c&gt;"><did><unittitle>a'
                                                  '</unittitle></did></c01>'), 1)
    add(c, "c12-depth.xml", ead(dsc="".join(f"<c{i:02d}><did><unittitle>n{i}</unittitle></did>"
                                            for i in range(1, 13))
                                + "".join(f"</c{i:02d}>" for i in range(12, 0, -1))), 1)
    add(c, "5000-components.xml", ead(dsc="".join(f"<c><did><unittitle>d{i}</unittitle></did>"
                                                  "</c>" for i in range(5000))), 1)
    add(c, "ead3.xml", DECL + '<ead xmlns="http://ead3.archivists.org/schema/"><control>'
        f'<recordid>{_id()}</recordid><filedesc><titlestmt><titleproper>EAD3</titleproper>'
        '</titlestmt></filedesc><maintenancestatus value="new"/><maintenanceagency>'
        '<agencyname>X</agencyname></maintenanceagency><maintenancehistory><maintenanceevent>'
        '<eventtype value="created"/><eventdatetime>2020</eventdatetime><agenttype value='
        '"human"/><agent>x</agent></maintenanceevent></maintenancehistory></control>'
        '<archdesc level="fonds"><did><unittitle>EAD3</unittitle></did></archdesc></ead>',
        1)
    add(c, "no-namespace.xml", ead().replace(f" {EAD_NS}", ""), 1)
    add(c, "same-eadid-twice-a.xml", ead(eadid="HOSTILE-TWICE"), 1)
    add(c, "same-eadid-twice-b.xml", ead(eadid="HOSTILE-TWICE"), 0, r"same record identifier")
    add(c, "sample-eadid-collision.xml", ead(eadid="FR-751052105-0003", title="Pirate"), 1,
        note="replaces the sample's notice of that identifier: intended")

    # ------------------------------------------------------------------ OAI-PMH and EAC-CPF
    c = "oai-eac"
    oai = ("<?xml version='1.0' encoding='UTF-8'?><OAI-PMH xmlns='http://www.openarchives.org/"
           "OAI/2.0/'><responseDate>2024-01-01T00:00:00Z</responseDate><request verb='"
           "ListRecords' metadataPrefix='ead'>http://127.0.0.1:9/oai</request>{}</OAI-PMH>")
    add(c, "oai-error-noRecordsMatch.xml", oai.format("<error code='noRecordsMatch'>none"
                                                      "</error>"), 0, r"noRecordsMatch|no record")
    add(c, "oai-error-badArgument.xml", oai.format("<error code='badArgument'>x</error>"), 0,
        r"badArgument")
    add(c, "oai-empty-listrecords.xml", oai.format("<ListRecords/>"), 0, r".")
    add(c, "oai-one-ead.xml", oai.format(
        "<ListRecords><record><header><identifier>oai:hostile:1</identifier><datestamp>"
        "2024-01-01</datestamp></header><metadata>" + ead(prolog="") + "</metadata></record>"
        "</ListRecords>"), 1)
    add(c, "oai-deleted-unknown.xml", oai.format(
        "<ListRecords><record><header status='deleted'><identifier>oai:hostile:404</identifier>"
        "<datestamp>2024-01-01</datestamp></header></record></ListRecords>"), 0, None,
        r"deleted|nothing to remove")
    add(c, "oai-record-no-metadata.xml", oai.format(
        "<ListRecords><record><header><identifier>oai:hostile:2</identifier><datestamp>"
        "2024-01-01</datestamp></header></record></ListRecords>"), 0, r".")
    add(c, "oai-metadata-garbage.xml", oai.format(
        "<ListRecords><record><header><identifier>oai:hostile:3</identifier><datestamp>"
        "2024-01-01</datestamp></header><metadata><foo/></metadata></record>"
        "<record><header><identifier>oai:hostile:4</identifier><datestamp>2024-01-01"
        "</datestamp></header><metadata>" + ead(prolog="") + "</metadata></record>"
        "</ListRecords>"), 1, r".")
    eac = ("<?xml version='1.0' encoding='UTF-8'?><eac-cpf xmlns='urn:isbn:1-931666-33-4'>"
           "<control><recordId>{rid}</recordId><maintenanceStatus>new</maintenanceStatus>"
           "<maintenanceAgency><agencyName>X</agencyName></maintenanceAgency>"
           "<maintenanceHistory><maintenanceEvent><eventType>created</eventType><eventDateTime>"
           "2020</eventDateTime><agentType>human</agentType><agent>x</agent></maintenanceEvent>"
           "</maintenanceHistory></control><cpfDescription><identity><entityType>person"
           "</entityType><nameEntry><part>{name}</part></nameEntry></identity>{desc}"
           "</cpfDescription></eac-cpf>")
    add(c, "eac-ok.xml", eac.format(rid="HOSTILE-EAC-1", name="Jean Dupont", desc=""), 1)
    add(c, "eac-no-recordid.xml", eac.format(rid="", name="Jean Dupont", desc=""), 0,
        r"recordId")
    add(c, "eac-bad-dates.xml", eac.format(
        rid="HOSTILE-EAC-2", name="Jean Dupont",
        desc="<description><existDates><dateRange><fromDate standardDate='1900-13-45'>x"
             "</fromDate><toDate standardDate='1800'>y</toDate></dateRange></existDates>"
             "</description>"), 1, warn=r"1900-13-45|date")
    add(c, "eac-no-name.xml", eac.format(rid="HOSTILE-EAC-3", name="", desc=""), 0, r"name")

    # ------------------------------------------------------------------ file names
    c = "file-names"
    for label, name in (("spaces", "un fichier avec espaces.xml"),
                        ("quotes", "quote'\"double.xml"),
                        ("newline", "new\nline.xml"), ("semicolon", "a;rm -rf;.xml"),
                        ("unicode", "fonds-œuvres-東京.xml"), ("dash", "-rf.xml"),
                        ("long", "l" * 250 + ".xml"), ("backslash", "a\\b.xml"),
                        ("ansi", "\x1b[31mred.xml"), ("uppercase-ext", "NOTICE.XML")):
        add(c, name, ead(), 1, note=label)
    add(c, "non-utf8-name", ead(), 1, special="non-utf8-name")
    add(c, "non-utf8-dir", ead(), 1, special="non-utf8-dir")

    # ------------------------------------------------------------------ special files
    c = "special-files"
    for kind, reason in (("fifo", r"not a regular file|FIFO"),
                         ("symlink-loop", r"symbolic link|loop|cannot read"),
                         ("dangling", r"symbolic link to nothing"),
                         ("devzero", r"not a regular file|device"),
                         ("devnull", r"not a regular file|device|empty"),
                         ("socket", r"not a regular file|socket")):
        add(c, f"{kind}.xml", None, 0, reason, special=kind)
    add(c, "symlink-to-good.xml", ead(), 1, special="symlink-good")
    add(c, "hardlink-good.xml", ead(), 1, special="hardlink-good")
    add(c, "sparse-hole.xml", None, 0, r"size cap|empty|not|malformed", special="sparse")

    # ------------------------------------------------------------------ sizes
    c = "sizes"
    add(c, "ead-190MB.xml", None, 1, special="big-ead", large=True)
    add(c, "marcxml-300MB-one-record.xml", None, 0, r"runs over 16 MB", special="big-marcxml",
        large=True)
    add(c, "csv-100k-rows.csv", None, 100_000, special="big-csv", large=True)
    add(c, "iso2709-20MB.mrc", None, None, special="big-iso", large=True,
        note="74,000 authorities: the pipeline's pace, about 2,000 records/s, bounds the size")
    add(c, "over-cap.xml", None, 0, r"size cap", special="over-cap", large=True)
    return cases


def _make_special(case: Case, path: Path, body: bytes | None) -> Path:
    """Create the special file of ``case`` at ``path`` (returns the path to load)."""
    kind = case.special
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "doctype-fifo":
        fifo = path.with_suffix(".fifo")
        os.mkfifo(fifo)
        path.write_text(ead(prolog=DECL + f'<!DOCTYPE ead SYSTEM "{fifo}">'), encoding="utf-8")
    elif kind == "pe-fifo":
        fifo = path.with_suffix(".fifo")
        os.mkfifo(fifo)
        path.write_text(ead(prolog=DECL + f'<!DOCTYPE ead [<!ENTITY % p SYSTEM "{fifo}"> %p;]>'),
                        encoding="utf-8")
    elif kind == "symlink-loop":
        os.symlink(path.name, path)
    elif kind == "dangling":
        os.symlink(path.with_name("nowhere.xml"), path)
    elif kind == "devzero":
        os.symlink("/dev/zero", path)
    elif kind == "devnull":
        os.symlink("/dev/null", path)
    elif kind == "socket":
        import socket

        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        s.close()
    elif kind == "symlink-good":
        target = path.with_name("target-of-symlink.data")
        target.write_bytes(body or b"")
        os.symlink(target.name, path)
    elif kind == "hardlink-good":
        target = path.with_name("target-of-hardlink.data")
        target.write_bytes(body or b"")
        os.link(target, path)
    elif kind == "sparse":
        with path.open("wb") as fh:
            fh.truncate(300 * 1024 * 1024)
    elif kind == "non-utf8-name":
        path = path.with_name(os.fsdecode(b"notice-\xe9t\xe9-latin1.xml"))
        path.write_bytes(body or b"")
    elif kind == "non-utf8-dir":
        folder = path.with_name(os.fsdecode(b"dossier-\xff"))
        folder.mkdir()
        path = folder / "notice.xml"
        path.write_bytes(body or b"")
    elif kind == "big-ead":
        _big_ead(path, 190 * 1024 * 1024)
    elif kind == "big-marcxml":
        _big_marcxml(path, 300 * 1024 * 1024)
    elif kind == "big-csv":
        with path.open("w", encoding="utf-8") as fh:
            fh.write("isil,name,city\n")
            for i in range(100_000):
                fh.write(f"FR-9{i:08d},Institution de test {i},Ville {i % 97}\n")
    elif kind == "big-iso":
        template = iso2709(unimarc_fields("@@@@@@@@@", name="X" * 50))
        with path.open("wb") as fh:
            for i in range(20 * 1024 * 1024 // len(template)):
                first8 = f"{20000000 + i:08d}"
                fh.write(template.replace(b"@@@@@@@@@",
                                          (first8 + ppn_check_char(first8)).encode()))
    elif kind == "over-cap":  # an OAI-PMH answer (read whole, so capped), sparse to 600 MB
        with path.open("wb") as fh:
            fh.write(b"<?xml version='1.0'?><OAI-PMH xmlns='http://www.openarchives.org/OAI/"
                     b"2.0/'><responseDate>2024-01-01T00:00:00Z</responseDate><request"
                     b" verb='ListRecords' metadataPrefix='ead'>http://x/oai</request>"
                     b"<ListRecords>")
            fh.truncate(600 * 1024 * 1024)
    else:
        raise ValueError(kind)
    return path


def _big_ead(path: Path, size: int) -> None:
    head, tail = ead(dsc="@@").split("@@")
    with path.open("w", encoding="utf-8") as fh:
        fh.write(head)
        i = 0
        while fh.tell() < size:
            fh.write("".join(
                f'<c01 level="file" id="c{j}"><did><unitid>MS {j}</unitid><unittitle>Dossier {j}'
                f" de correspondance de l'abbé Grégoire avec ses amis</unittitle>"
                f'<unitdate normal="18{j % 100:02d}">18{j % 100:02d}</unitdate></did>'
                f"<scopecontent><p>Lettres {j}.</p></scopecontent></c01>"
                for j in range(i, i + 1000)))
            i += 1000
        fh.write(tail)


def _big_marcxml(path: Path, size: int) -> None:
    head, tail = marcxml(unimarc_fields("991000021") + [("@@", " ", " ", [])]).split(
        '<datafield tag="@@" ind1=" " ind2=" "></datafield>')
    with path.open("w", encoding="utf-8") as fh:
        fh.write(head)
        block = "".join(f'<datafield tag="810" ind1=" " ind2=" "><subfield code="a">Source {j}'
                        "</subfield></datafield>" for j in range(1000))
        while fh.tell() < size:
            fh.write(block)
        fh.write(tail)


def generate(directory: Path, *, large: bool = False,
             only: Callable[[Case], bool] | None = None) -> list[tuple[Case, Path]]:
    """Write the cases into ``directory``/category/; return (case, path to load) pairs."""
    global _counter, _ppn_counter
    _counter, _ppn_counter = iter(range(1, 10**6)), iter(range(99100000, 99999999))
    out = []
    for case, body in _cases():
        if case.large and not large:
            continue
        if only is not None and not only(case):
            continue
        folder = directory / case.category
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / case.name
        if case.special:
            path = _make_special(case, path, body if isinstance(body, bytes) else None)
        elif isinstance(body, bytes):
            path.write_bytes(body)
        out.append((case, path))
    return out


def all_cases() -> list[Case]:
    return [case for case, _ in _cases()]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.hostile.corpus DIR", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    made = generate(directory, large="--large" in os.environ.get("HOSTILE", ""))
    manifest = [{**asdict(case), "path": os.fsencode(path).decode("utf-8", "replace")}
                for case, path in made]
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                             encoding="utf-8")
    print(f"{len(made)} cases written to {directory}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

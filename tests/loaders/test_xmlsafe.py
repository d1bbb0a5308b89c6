from __future__ import annotations

from pathlib import Path

import pytest

from loaders.xmlsafe import XmlRejected, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ead><eadheader><eadid>x</eadid></eadheader><archdesc><did><unittitle>&lol9;</unittitle>
</did></archdesc></ead>"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"%PDF-1.4 binary", "not an XML file"),
        (b"<ead><archdesc></ead>", "malformed XML"),
        (BILLION_LAUGHS, "declares entities"),
        (b'<!DOCTYPE ead [<!ENTITY x SYSTEM "http://evil.example/x">]><ead>&x;</ead>',
         "declares entities"),
        (b'<!DOCTYPE ead SYSTEM "ead.dtd"><ead>Text &unknownent; lost</ead>',
         "undefined entity &unknownent; at line 1"),
        (b'<?xml version="1.0" encoding="UTF-8"?><ead>caf\xe9</ead>', "malformed XML"),
    ],
)
def test_rejections_say_why(data: bytes, reason: str) -> None:
    with pytest.raises(XmlRejected, match=reason.replace("(", r"\(")):
        parse_xml(data, "f.xml")


def test_known_html_entities_are_recovered_and_reported() -> None:
    doc = parse_xml(b'<!DOCTYPE ead SYSTEM "ead.dtd"><ead><t>Soci&eacute;t&eacute; '
                    b"<b>x</b>&nbsp;&amp; fin</t></ead>", "f.xml")
    assert "".join(doc.root.itertext()) == "Société x\u00a0& fin"
    assert doc.warnings == [
        'undefined entity &eacute; replaced by its HTML meaning "é" (2 times, first at line 1)',
        'undefined entity &nbsp; replaced by its HTML meaning "\u00a0" (line 1)']


def test_entities_in_attributes_keep_their_text() -> None:
    """Issue #12: title="caf&eacute;" lost its text silently."""
    doc = parse_xml(b'<!DOCTYPE ead SYSTEM "ead.dtd"><ead><t label="caf&eacute;">x</t></ead>',
                    "f.xml")
    assert doc.root[0].get("label") == "café"
    assert doc.warnings and "&eacute;" in doc.warnings[0]
    with pytest.raises(XmlRejected, match="undefined entity &nosuch;"):
        parse_xml(b'<ead><t label="a &nosuch; b">x</t></ead>', "f.xml")


def test_entities_in_cdata_and_comments_are_left_alone() -> None:
    doc = parse_xml(b"<ead><!-- &eacute; --><t><![CDATA[&eacute; &nosuch;]]></t></ead>", "f.xml")
    assert doc.root[0].text == "&eacute; &nosuch;" and doc.warnings == []


def test_entity_replacement_is_linear() -> None:
    """Issue #12: 40,000 entities took 28 s (quadratic); a million must take about a second."""
    import time

    def seconds(n: int) -> float:
        data = b"<ead><p>" + b"&eacute;x" * n + b"</p></ead>"
        began = time.perf_counter()
        doc = parse_xml(data, "f.xml")
        assert len(doc.root[0].text or "") == 2 * n
        return time.perf_counter() - began

    small, large = seconds(50_000), seconds(800_000)
    assert large < 40 * max(small, 0.005)  # 16 times the input: linear, with slack


def test_entities_cut_across_stream_chunks(tmp_path: Path) -> None:
    """The streaming reader replaces entities that straddle its 64 KB blocks."""
    from loaders.xmlsafe import iter_elements

    body = "".join(f"<r>{'x' * (i % 7)}&eacute;<![CDATA[&nosuch;]]><!-- &x; --></r>"
                   for i in range(20_000))
    path = tmp_path / "big.xml"
    path.write_text(f"<c>{body}</c>", encoding="utf-8")
    warnings: list[str] = []
    texts = ["".join(el.itertext()) for el in iter_elements(path, ["r"], warnings)]
    assert len(texts) == 20_000
    assert all(t.endswith("é&nosuch;") for t in texts)
    assert warnings == ['undefined entity &eacute; replaced by its HTML meaning "é"'
                        ' (first at line 1)']


def test_utf16_with_bom_is_read() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><ead><t>École</t></ead>'.encode("utf-16")
    assert "".join(parse_xml(data, "f.xml").root.itertext()) == "École"

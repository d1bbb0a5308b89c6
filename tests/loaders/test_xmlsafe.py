from __future__ import annotations

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
    assert len(doc.warnings) == 3


def test_utf16_with_bom_is_read() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><ead><t>École</t></ead>'.encode("utf-16")
    assert "".join(parse_xml(data, "f.xml").root.itertext()) == "École"

"""IdRef files read piece by piece: the same records as a whole-file read, in flat memory,
with a broken tail reported and the records before it kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from collex.settings import Settings
from graph.embedded import open_write
from loaders.idref.parse import (
    BadRecord,
    IdRefRejected,
    _stream_iso2709,
    parse,
    parse_iso2709,
    stream,
)
from loaders.pipeline import Pipeline
from tests.conftest import FIXTURES

IDREF = FIXTURES / "idref"
MARCXML = sorted(p for p in IDREF.glob("*.xml"))


def _record(ppn: str, name: str) -> str:
    return (f'<record><leader>00000cx  a2200000   45  </leader>'
            f'<controlfield tag="001">{ppn}</controlfield>'
            f'<controlfield tag="008">Tp5</controlfield>'
            f'<datafield tag="200" ind1=" " ind2="1"><subfield code="a">{name}</subfield>'
            f'<subfield code="b">Élise</subfield></datafield></record>\n')


PPNS = ["027058352", "027182800", "026403420", "027253139", "026884313"]


def _collection(n: int = 5) -> str:
    body = "".join(_record(PPNS[i % len(PPNS)], f"Nom {i}") for i in range(n))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<collection>\n{body}</collection>\n'


@pytest.mark.parametrize("path", MARCXML, ids=lambda p: p.name)
def test_streamed_marcxml_gives_the_records_of_a_whole_read(path: Path) -> None:
    whole = parse(path.read_bytes(), path.name).records
    streamed = stream(path, path.name)
    assert streamed is not None
    assert [r for r, _ in streamed] == whole


@pytest.mark.parametrize("name", ["authorities.mrc", "damaged.mrc"])
@pytest.mark.parametrize("chunk", [7, 100, 1 << 20])
def test_streamed_iso2709_gives_the_records_of_a_whole_read(name: str, chunk: int) -> None:
    path = IDREF / name
    whole = parse_iso2709(path.read_bytes())
    assert list(_stream_iso2709(path, chunk_size=chunk)) == whole
    assert any(isinstance(r, BadRecord) for r in whole) == (name == "damaged.mrc")


def test_rdf_is_read_whole() -> None:
    path = next(IDREF.glob("*.rdf"))
    assert stream(path, path.name) is None


def test_a_broken_tail_keeps_the_records_before_it(tmp_path: Path) -> None:
    text = _collection(5)
    cut = text.index("Nom 3")
    path = tmp_path / "cut.xml"
    path.write_text(text[:cut], encoding="utf-8")
    records = stream(path, path.name)
    assert records is not None
    got = [r for r, _ in records]
    assert [getattr(r, "ppn", None) for r in got[:3]] == PPNS[:3]
    assert isinstance(got[-1], BadRecord) and len(got) == 4
    assert "malformed XML at line" in got[-1].reason and "rest of the file" in got[-1].reason
    assert "record 3" in got[-1].record_id


def test_entity_declarations_are_refused_when_streaming(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE collection [<!ENTITY x SYSTEM '
                    '"file:///etc/passwd">]>' + _collection(2).split("?>", 1)[1],
                    encoding="utf-8")
    records = stream(path, path.name)
    assert records is not None
    with pytest.raises(IdRefRejected, match="declares entities"):
        next(records)


def test_pipeline_streams_idref_past_the_size_cap_and_reports_a_broken_tail(
        tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    big = _collection(5)
    (tmp_path / "in" / "big.xml").write_text(big, encoding="utf-8")
    text = _collection(5).replace("027058352", "026816989").replace("027182800", "028163818")
    (tmp_path / "in" / "cut.xml").write_text(text[:text.index("Nom 2")], encoding="utf-8")
    (tmp_path / "in" / "notice.xml").write_text(
        '<ead><eadheader><eadid>big-notice</eadid></eadheader><archdesc level="fonds"><did>'
        "<unitid>MS 1</unitid><unittitle>" + "Titre " * 400 + "</unittitle></did></archdesc>"
        "</ead>", encoding="utf-8")
    settings = Settings(store_dir=tmp_path / "store", max_file_bytes=len(big.encode()) - 1)
    report = Pipeline(settings, derive=False).run([tmp_path / "in"], open_write(
        settings.store_dir))
    rejected = {(Path(i.file).name, i.message) for i in report.rejected}
    assert any(f == "notice.xml" and "size cap" in m for f, m in rejected)
    assert any(f == "cut.xml" and "rest of the file is not read" in m for f, m in rejected)
    assert report.loaded == 5 + 2  # the whole big file, and the two records before the cut

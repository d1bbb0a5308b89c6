"""The load pipeline against a real embedded store, with good and hostile inputs mixed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from collex.settings import Settings
from graph.embedded import open_write
from loaders.pipeline import Pipeline
from tests.conftest import FIXTURES, SAMPLE, SAMPLE_RECORDS

SECRET = "TOP-SECRET-do-not-load-0451"

NOTICE = """<?xml version="1.0" encoding="UTF-8"?>
<ead><eadheader><eadid mainagencycode="751052116">{eadid}</eadid></eadheader>
<archdesc level="fonds"><did><unitid>MS {eadid}</unitid>{title}
<unitdate normal="{normal}">dates</unitdate>
<repository><corpname authfilenumber="751052116">Bibliothèque de l'École des chartes</corpname>
</repository>
</did><scopecontent><p>Contenu {eadid}.</p></scopecontent></archdesc></ead>
"""


def notice(eadid: str, title: str | None = "Fonds de test", normal: str = "1900/1950") -> str:
    return NOTICE.format(eadid=eadid, normal=normal,
                         title=f"<unittitle>{title}</unittitle>" if title else "")


def hostile_folder(root: Path) -> dict[str, str]:
    """A folder with two good notices and one file for every kind of bad input.
    Returns {file name: expected reason fragment}."""
    secret = root.parent / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    root.mkdir()
    (root / "good-1.xml").write_text(notice("good-1"), encoding="utf-8")
    (root / "good-2.xml").write_text(notice("good-2"), encoding="utf-8")
    bad = {
        "malformed.xml": ("<ead><archdesc><did>", "malformed XML"),
        "xxe.xml": (f'<?xml version="1.0"?><!DOCTYPE ead [<!ENTITY s SYSTEM "file://{secret}">]>'
                    + notice("xxe", title="&s;").split("?>", 1)[1], "declares entities"),
        "laughs.xml": ('<!DOCTYPE ead [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                       + notice("laughs", title="&b;").split("?>", 1)[1], "declares entities"),
        "undefined-entity.xml": ('<!DOCTYPE ead SYSTEM "ead.dtd">'
                                 + notice("undef", title="Fonds &xyzzy; perdu").split("?>", 1)[1],
                                 "undefined entity &xyzzy;"),
        "no-title.xml": (notice("no-title", title=None), "missing title"),
        "not-xml.xml": ("Ceci n'est pas du XML.\n", "not recognised"),
        "empty.xml": ("", "empty"),
        "not-ead.xml": ("<html><body>x</body></html>", "not recognised"),
    }
    for name, (content, _) in bad.items():
        (root / name).write_text(content, encoding="utf-8")
    return {name: reason for name, (_, reason) in bad.items()}


def test_good_records_load_and_every_bad_file_is_named_with_its_reason(
    tmp_path: Path, settings: Settings
) -> None:
    expected = hostile_folder(tmp_path / "in")
    store = open_write(settings.store_dir)
    report = Pipeline(settings).run([tmp_path / "in"], store)

    (tmp_path / "in" / "bad-date.xml").write_text(notice("bad-date", normal="1997-13-45"),
                                                  encoding="utf-8")
    report = Pipeline(settings).run([tmp_path / "in"], store)
    assert report.exit_code == 1
    assert report.loaded == 3  # a bad date is left out with a warning, not a rejection
    assert any("1997-13-45" in w.message and Path(w.file).name == "bad-date.xml"
               for w in report.warnings)
    by_file = {Path(i.file).name: i for i in report.rejected}
    assert set(by_file) == set(expected)
    for name, reason in expected.items():
        assert reason in by_file[name].message, (name, by_file[name].message)
    assert by_file["no-title.xml"].record == "no-title"
    # Nothing partial: only the two good notices are in the store.
    rows = store.select("SELECT ?c WHERE { ?c a <http://purl.org/dc/dcmitype/Collection> }")
    assert sorted(str(r["c"].value) for r in rows) == [  # type: ignore[union-attr]
        "http://127.0.0.1:8000/id/collection/751052116-bad-date",
        "http://127.0.0.1:8000/id/collection/751052116-good-1",
        "http://127.0.0.1:8000/id/collection/751052116-good-2",
    ]
    assert not store.ask(f'ASK {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{SECRET}")) }}')
    assert not store.ask("ASK { ?p <http://www.w3.org/ns/dcat#startDate> ?d"
                         ' FILTER(STR(?d) = "1997-13-45") }')
    graphs = store.named_graphs()
    assert len([g for g in graphs if "/graph/ead/" in g]) == 3
    # their institution, described once in a graph of its own
    assert len([g for g in graphs if "/graph/entity/" in g]) == 1
    assert len([g for g in graphs if "/graph/derived/" not in g]) == 4


def test_file_over_size_cap_is_rejected(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store", max_file_bytes=300)
    (tmp_path / "big.xml").write_text(notice("big") + "<!--" + "x" * 400 + "-->",
                                      encoding="utf-8")
    report = Pipeline(settings).run([tmp_path / "big.xml"], open_write(settings.store_dir))
    assert report.exit_code == 1
    assert "over the size cap of 300 bytes" in report.rejected[0].message
    assert not report.written


def test_reload_is_idempotent(settings: Settings) -> None:
    store = open_write(settings.store_dir)
    Pipeline(settings).run([SAMPLE], store)
    first = store.stats()
    report = Pipeline(settings).run([SAMPLE], store)
    assert report.exit_code == 0
    again = store.stats()
    assert again.triples == first.triples
    assert again.triples_per_graph == first.triples_per_graph


def test_reload_replaces_a_notice_and_a_rejected_reload_keeps_the_old_one(
    tmp_path: Path, settings: Settings
) -> None:
    store = open_write(settings.store_dir)
    path = tmp_path / "n.xml"
    path.write_text(notice("n1", title="Premier titre"), encoding="utf-8")
    Pipeline(settings).run([path], store)
    path.write_text(notice("n1", title="Second titre"), encoding="utf-8")
    Pipeline(settings).run([path], store)
    titles = store.select("SELECT ?t WHERE { ?c <http://purl.org/dc/terms/title> ?t }")
    assert [r["t"].value for r in titles] == ["Second titre"]  # type: ignore[union-attr]
    path.write_text(notice("n1", title=None), encoding="utf-8")
    report = Pipeline(settings).run([path], store)
    assert report.exit_code == 1
    titles = store.select("SELECT ?t WHERE { ?c <http://purl.org/dc/terms/title> ?t }")
    assert [r["t"].value for r in titles] == ["Second titre"]  # type: ignore[union-attr]


def test_same_eadid_twice_in_one_load(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "a.xml").write_text(notice("dup"), encoding="utf-8")
    (tmp_path / "b.xml").write_text(notice("dup", title="Autre"), encoding="utf-8")
    report = Pipeline(settings).run([tmp_path], open_write(settings.store_dir))
    assert report.loaded == 1
    assert "same record identifier as" in report.rejected[0].message


def test_validate_writes_nothing(settings: Settings) -> None:
    report = Pipeline(settings).run([SAMPLE], None)
    # 21 notices, 5 IdRef records, 4 lists, the disciplines and territories schemes
    assert report.exit_code == 0 and report.loaded == SAMPLE_RECORDS and not report.written
    assert not settings.store_dir.exists()


def test_batches_attribute_violations_to_the_right_record(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store", validation_batch=7)
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(20):
        title = None if i in (3, 11, 12) else f"Fonds {i}"
        (folder / f"n{i:02d}.xml").write_text(notice(f"n{i}", title=title), encoding="utf-8")
    report = Pipeline(settings).run([folder], open_write(settings.store_dir))
    assert sorted(i.record for i in report.rejected) == ["n11", "n12", "n3"]  # type: ignore[type-var]
    assert report.loaded == 17


def test_sample_data_loads_cleanly(settings: Settings) -> None:
    store = open_write(settings.store_dir)
    report = Pipeline(settings).run([SAMPLE], store)
    assert (report.exit_code, report.loaded, report.warnings) == (0, SAMPLE_RECORDS, [])
    holders = store.select(
        "SELECT (COUNT(DISTINCT ?h) AS ?n) WHERE { ?c "
        "<https://www.ica.org/standards/RiC/ontology#hasOrHadHolder> ?h }")
    assert int(holders[0]["n"].value) >= 5  # type: ignore[union-attr]
    linked = store.select(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c ?p ?x "
        'FILTER(STRSTARTS(STR(?x), "http://www.idref.fr/")) }')
    assert int(linked[0]["n"].value) >= 12  # type: ignore[union-attr]


def test_fixtures_load_with_warnings_not_rejections(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "fx"
    shutil.copytree(FIXTURES / "ead", folder)
    report = Pipeline(settings).run([folder], open_write(settings.store_dir))
    assert report.exit_code == 0, report.summary()
    messages = " | ".join(w.message for w in report.warnings)
    assert "undefined entity &eacute; replaced" in messages
    assert "invalid IdRef PPN 027058351" in messages


@pytest.mark.shared
def test_archives_nationales_folder_loads(an_ead: Path, settings: Settings) -> None:
    report = Pipeline(settings).run([an_ead], open_write(settings.store_dir))
    assert (report.exit_code, report.files, report.loaded) == (0, 3, 3)


def test_quality_lists_the_warnings_of_the_loaded_notices(tmp_path: Path,
                                                          settings: Settings) -> None:
    from loaders.derived.quality import quality, render

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad-date.xml").write_text(notice("bad-date", normal="1997-13-45"),
                                                  encoding="utf-8")
    store = open_write(settings.store_dir)
    report = Pipeline(settings).run([tmp_path / "in"], store)
    assert report.exit_code == 0 and report.warnings
    (row,) = quality(store)
    assert row.warnings and all(f == "bad-date.xml" and r == "bad-date"
                                for f, r, _ in row.warnings)
    text = render([row])
    assert "1997-13-45" in text and "bad-date.xml [bad-date]" in text

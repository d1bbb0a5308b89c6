"""A bad re-export never costs a list: hostile list files leave the loaded lists unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from collex.settings import Settings
from graph.base import WriteStore
from graph.embedded import open_write
from loaders.pipeline import Pipeline
from tests.conftest import SAMPLE

INSTITUTIONS = (SAMPLE / "lists" / "institutions.csv").read_text(encoding="utf-8")
HEADER, *ROWS = INSTITUTIONS.splitlines(keepends=True)


def _lists(store: WriteStore) -> list[tuple[str, str, str, str]]:
    """Everything the lists say, and the shared descriptions built beside them."""
    return sorted((str(r["g"].value), str(r["s"].value), str(r["p"].value),  # type: ignore[union-attr]
                   str(r["o"].value)) for r in store.select(  # type: ignore[union-attr]
        "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g),"
        ' "/graph/lists/") || CONTAINS(STR(?g), "/graph/entity/"))'
        " FILTER(?p NOT IN (<http://www.w3.org/ns/prov#generatedAtTime>,"  # provenance apart
        " <https://w3id.org/collex/def#sha256>, <https://w3id.org/collex/def#fileName>,"
        " <https://w3id.org/collex/def#loadWarning>, <https://w3id.org/collex/def#contentDigest>))"
        " }"))


@pytest.fixture
def loaded(settings: Settings) -> WriteStore:
    store = open_write(settings.store_dir)
    assert Pipeline(settings).run([SAMPLE], store).exit_code == 0
    return store


def _hostile(folder: Path) -> dict[str, str]:
    folder.mkdir()
    name_missing = HEADER.replace("name,", "nom,") if "name," in HEADER else HEADER.replace(
        "name", "nom")
    bad_row = ROWS[0].replace("FR-", "XX", 1)
    cut = HEADER + "".join(ROWS[:2]) + ROWS[2][: len(ROWS[2]) // 2] + '"interrompu'
    return {
        "header-only": HEADER,
        "name-missing": name_missing + "".join(ROWS),
        "one-invalid-row": HEADER + bad_row + "".join(ROWS[1:3]),
        "cut": cut,
    }


@pytest.mark.parametrize("case", ["header-only", "name-missing", "one-invalid-row", "cut"])
def test_a_hostile_re_export_leaves_the_loaded_list_unchanged(
        loaded: WriteStore, settings: Settings, tmp_path: Path, case: str) -> None:
    before = _lists(loaded)
    path = tmp_path / "in" / "institutions.csv"
    content = _hostile(tmp_path / "in")[case]
    path.write_text(content, encoding="utf-8")
    report = Pipeline(settings).run([path], loaded)
    after = _lists(loaded)
    if case == "one-invalid-row":  # the valid rows are re-read (same content): nothing changes
        assert report.exit_code == 1 and report.rejected[0].record == "row 2"
    if case in ("one-invalid-row", "cut"):
        assert any("are kept" in w.message for w in report.warnings)
    assert after == before, case


def test_a_case_different_re_export_in_another_folder_replaces_the_same_rows(
        loaded: WriteStore, settings: Settings, tmp_path: Path) -> None:
    before = _lists(loaded)
    other = tmp_path / "export" / "2026"
    other.mkdir(parents=True)
    (other / "INSTITUTIONS.CSV").write_text(INSTITUTIONS, encoding="utf-8")
    report = Pipeline(settings).run([other / "INSTITUTIONS.CSV"], loaded)
    assert report.exit_code == 0 and report.deleted == 0
    after = _lists(loaded)
    assert after == before


def test_a_whole_re_export_with_fewer_rows_removes_the_missing_ones_and_says_which(
        loaded: WriteStore, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "institutions.csv"
    path.write_text(HEADER + "".join(ROWS[:-1]), encoding="utf-8")
    gone = ROWS[-1].split(",")[0].strip()
    report = Pipeline(settings).run([path], loaded)
    assert report.exit_code == 0 and report.deleted == 1
    assert any("removed" in w.message and gone in w.message for w in report.warnings)
    assert not any(gone in g for g in loaded.named_graphs() if "/graph/lists/" in g)

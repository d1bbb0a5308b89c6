"""Real finding aids from producers the project did not write (../shared/samples/francearchives):
the whole component tree reaches the graph, lenient identity, nothing dropped in silence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from collex.settings import Settings
from graph.embedded import open_write
from loaders.pipeline import Pipeline

pytestmark = pytest.mark.shared

_COMPONENT = re.compile(r"^c(0[1-9]|1[0-2])?$")


@pytest.fixture(scope="module")
def francearchives(shared: Path) -> Path:
    return shared / "samples" / "francearchives"


def _ead_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() == ".xml"
                  and b"eac-cpf" not in p.read_bytes()[:4096]
                  and b"oai_dc" not in p.read_bytes()[:4096])


def _components_in_file(path: Path) -> int:
    """Counted with a plain parser, independently of the loader."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                             recover=True)
    root = etree.parse(str(path), parser).getroot()
    return sum(1 for el in root.iter(etree.Element)
               if _COMPONENT.match(etree.QName(el).localname))


def test_every_real_file_loads_without_an_identity_rejection(
        francearchives: Path, tmp_path: Path) -> None:
    for path in sorted(francearchives.rglob("*")):
        if path.suffix.lower() != ".xml":
            continue
        settings = Settings(store_dir=tmp_path / path.stem / "store")
        report = Pipeline(settings, derive=False).run([path], open_write(settings.store_dir))
        assert report.exit_code in (0, 1), path
        assert report.loaded >= 1, (path, report.rejected)
        for issue in report.rejected:
            assert "unitid" not in issue.message and "date" not in issue.message, issue


@pytest.mark.parametrize("name", [
    "FRAD085_6Fi.xml", "FRAD095_00259.XML", "FRAN_IR_000224.xml",
    "ir_data/FRAD034_000000248.xml", "ir_data/FRAD054_0000000405.xml",
    "ir_data/FRAD084_IR0000412.xml", "ir_data/FRANMT_IR_1996_94.xml",
    "ir_data/frad017_258j.xml", "ape_ead_data/ape-FRAN_IR_050236_ape_ead.xml",
    "oai_ead/FRAD051_12Fi.xml", "oai_ead/no_eadid.xml", "oai_ead/oai_ead_sample.xml",
    "oai_ead/oai_ead_sample_updated.xml",
])
def test_every_component_reaches_its_collection(
        francearchives: Path, tmp_path: Path, name: str) -> None:
    path = francearchives / name
    settings = Settings(store_dir=tmp_path / "store")
    store = open_write(settings.store_dir)
    report = Pipeline(settings, derive=False).run([path], store)
    assert report.rejected == [], report.rejected
    rows = store.select(
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?c a <http://purl.org/dc/dcmitype/Collection>"
        " . ?x <https://www.ica.org/standards/RiC/ontology#isOrWasIncludedIn>+ ?c }")
    in_graph = int(rows[0]["n"].value)  # type: ignore[union-attr]
    assert in_graph == _components_in_file(path), name


def test_the_files_of_the_development_set_are_all_counted(francearchives: Path) -> None:
    # the parametrized list above covers every EAD-bearing file but the deletion answer
    eads = {str(p.relative_to(francearchives)) for p in _ead_files(francearchives)}
    assert eads == {
        "FRAD085_6Fi.xml", "FRAD095_00259.XML", "FRAN_IR_000224.xml",
        "ir_data/FRAD034_000000248.xml", "ir_data/FRAD054_0000000405.xml",
        "ir_data/FRAD084_IR0000412.xml", "ir_data/FRANMT_IR_1996_94.xml",
        "ir_data/frad017_258j.xml", "ape_ead_data/ape-FRAN_IR_050236_ape_ead.xml",
        "oai_ead/FRAD051_12Fi.xml", "oai_ead/no_eadid.xml", "oai_ead/oai_ead_sample.xml",
        "oai_ead/oai_ead_sample_updated.xml", "oai_ead/oai_ead_sample_deleted.xml"}


def test_component_iris_are_stable_and_under_the_collection(
        francearchives: Path, tmp_path: Path) -> None:
    path = francearchives / "FRAD085_6Fi.xml"
    iris = []
    for run in range(2):
        settings = Settings(store_dir=tmp_path / f"s{run}")
        store = open_write(settings.store_dir)
        Pipeline(settings, derive=False).run([path], store)
        iris.append(sorted(str(r["x"].value) for r in store.select(  # type: ignore[union-attr]
            "SELECT ?x WHERE { ?x <https://www.ica.org/standards/RiC/ontology#"
            "isOrWasIncludedIn> ?p }")))
    assert iris[0] == iris[1]
    assert all(i.startswith("http://127.0.0.1:8000/id/collection/FRAD085_6Fi/c/")
               for i in iris[0])
    assert "http://127.0.0.1:8000/id/collection/FRAD085_6Fi/c/de-355" in iris[0]  # c@id


def test_components_keep_dates_access_points_and_digital_objects(
        francearchives: Path, tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    store = open_write(settings.store_dir)
    Pipeline(settings, derive=False).run([francearchives / "FRAD085_6Fi.xml"], store)
    node = "<http://127.0.0.1:8000/id/collection/FRAD085_6Fi/c/de-355>"
    assert store.ask(f"ASK {{ {node} <http://purl.org/dc/terms/identifier> \"1 Num 1/67-18\" }}")
    assert store.ask(f"ASK {{ {node} <http://purl.org/dc/terms/type> ?g }}")
    assert store.ask(f"ASK {{ {node} <http://purl.org/dc/terms/subject> ?s }}")
    assert store.ask(f"ASK {{ {node} <https://w3id.org/collex/def#digitalObjectText> ?d }}")
    assert store.ask(f"ASK {{ {node} <https://w3id.org/collex/def#order> ?o }}")


def test_fidelity_lists_what_is_not_mapped(cli: object, francearchives: Path) -> None:
    import json
    import subprocess

    run = cli  # type: ignore[assignment]
    out: subprocess.CompletedProcess[str] = run("fidelity", str(francearchives))  # type: ignore[operator]
    assert out.returncode == 0, out.stderr
    assert "seen" in out.stdout and "mapped" in out.stdout and "total" in out.stdout
    assert "ead/archdesc/runner" in out.stdout
    as_json = json.loads(run("fidelity", "--json", str(francearchives)).stdout)  # type: ignore[operator]
    frad085 = next(v for k, v in as_json.items() if k.endswith("FRAD085_6Fi.xml"))
    assert frad085["seen"] > 50_000 and frad085["seen"] - frad085["mapped"] == sum(
        frad085["unmapped"].values())
    mapping = (Path(__file__).resolve().parents[3] / "ontology" / "ead-mapping.md").read_text(
        encoding="utf-8")
    not_mapped = mapping.split("## What is not mapped", 1)[1]
    for entry in as_json.values():
        for path in entry["unmapped"]:
            assert path.rsplit("/", 1)[-1] in not_mapped, path

"""Notices too large to hold are read in two streaming passes and written in parts: the graph
is the one a whole reading gives, memory stays flat, a bad component costs only itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import loaders.ead.parse as ead_parse
from collex.settings import Settings
from graph.embedded import open_write
from loaders.pipeline import Pipeline
from tests.conftest import SAMPLE, SHARED

VOLATILE = ("generatedAtTime", "#contentDigest", "#dataVersion", "#derivedFrom",
            "#loadWarning")  # warnings: compared below, the link summaries aside
LINKS = re.compile(r"^(\d+) (.+? link\(s\) .+?): kept as text")


def _warnings(messages: list[str]) -> tuple[list[str], dict[str, int]]:
    """Warnings, and the link summaries as counts by kind: a streamed notice sums its links
    in two messages (the collection's, the components'), with other first examples."""
    plain, links = [], {}
    for m in messages:
        found = LINKS.match(m)
        if found:
            links[found.group(2)] = links.get(found.group(2), 0) + int(found.group(1))
        else:
            plain.append(m)
    return sorted(plain), links


def _quads(settings: Settings, paths: list[Path], streamed: bool,
           monkeypatch: pytest.MonkeyPatch, name: str) -> tuple[set[str], dict[str, object]]:
    monkeypatch.setattr(ead_parse, "STREAM_BYTES", 0 if streamed else 1 << 40)
    local = settings.model_copy(update={"store_dir": settings.store_dir.parent / name})
    store = open_write(local.store_dir)
    report = Pipeline(local, derive=False).run(paths, store, progress=False)
    out = local.store_dir.parent / f"{name}.nq"
    store.dump(out)
    lines = {line for line in out.read_text(encoding="utf-8").splitlines()
             if not any(v in line for v in VOLATILE)}
    summary = {"loaded": report.loaded, "rejected": len(report.rejected),
               "warnings": _warnings([w.message for w in report.warnings]),
               "seen": report.fidelity_total().seen, "mapped": report.fidelity_total().mapped}
    return lines, summary


def _inputs() -> Iterator[list[Path]]:
    yield sorted((SAMPLE / "ead").glob("*.xml"))
    fa = SHARED / "samples" / "francearchives"
    if fa.is_dir():
        yield [p for p in sorted(fa.rglob("*")) if p.suffix.lower() == ".xml"
               and "eac" not in p.parts and "oai" not in p.parent.name]


@pytest.mark.parametrize("paths", list(_inputs()), ids=lambda ps: f"{len(ps)}-files")
def test_streamed_and_whole_readings_give_the_same_graph(
        settings: Settings, paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    whole, whole_report = _quads(settings, paths, False, monkeypatch, "whole")
    streamed, streamed_report = _quads(settings, paths, True, monkeypatch, "streamed")
    assert whole_report["loaded"] == len([p for p in paths]) or whole_report["loaded"]
    assert streamed_report == whole_report
    assert streamed == whole, sorted(streamed ^ whole)[:6]


def _big_notice(path: Path, components: int, bad_every: int = 0) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid countrycode="FR"'
                 ' mainagencycode="FR-751052105">BIG-1</eadid></eadheader>'
                 '<archdesc level="fonds"><did><unittitle>Gros fonds</unittitle>'
                 '<unitid>MS 1</unitid></did><dsc>')
        for i in range(components):
            dao = ('<dao href="http://[::1"/>' if bad_every and i % bad_every == 0 else "")
            fh.write(f'<c01 id="s{i}"><did><unittitle>Série {i}</unittitle>'
                     f'<unitdate normal="18{i % 100:02d}">18{i % 100:02d}</unitdate>{dao}'
                     f'</did><c02><did><unittitle>Dossier {i}</unittitle></did></c02></c01>')
        fh.write("</dsc><scopecontent><p>Après le dsc.</p></scopecontent></archdesc></ead>")


def test_a_bad_component_costs_itself_only(settings: Settings, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ead_parse, "STREAM_BYTES", 0)
    path = tmp_path / "big.xml"
    _big_notice(path, 3000, bad_every=1000)
    store = open_write(settings.store_dir)
    report = Pipeline(settings, derive=False).run([path], store, progress=False)
    assert report.loaded == 1 and report.exit_code == 1
    assert any("http://[::1" in r.message for r in report.rejected)
    count = store.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c <https://www.ica.org/standards/"
                         "RiC/ontology#isOrWasIncludedIn> ?p }")
    assert int(count[0]["n"].value) == 6000  # type: ignore[union-attr]
    n = store.select("SELECT ?n WHERE { ?c <https://w3id.org/collex/def#componentCount> ?n }")
    assert int(n[0]["n"].value) == 6000  # type: ignore[union-attr]
    # the text after the component tree (scopecontent after dsc) is read by the first pass
    assert store.ask('ASK { <http://127.0.0.1:8000/id/collection/FR-751052105-BIG-1> ?p ?o'
                     ' FILTER(CONTAINS(STR(?o), "Après le dsc")) }')

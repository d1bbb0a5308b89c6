"""Identity from lossy text and hostile DOCTYPEs: regression tests named after the bugs."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from collex.settings import Settings
from graph.embedded import open_write
from loaders.ead.convert import convert
from loaders.ead.parse import parse
from loaders.pipeline import Pipeline
from loaders.terms import FOAF
from tests.conftest import COLLEX

NOTICE = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<ead><eadheader><eadid>{eadid}</eadid></eadheader>
<archdesc level="fonds"><did><unitid>1 J</unitid><unittitle>Fonds {eadid}</unittitle>
<repository><corpname>Archives</corpname></repository></did>
<controlaccess>{names}</controlaccess></archdesc></ead>
"""


def _notice(eadid: str = "IR1", names: str = "", doctype: str = "") -> str:
    return NOTICE.format(eadid=eadid, names=names, doctype=doctype)


def test_non_latin_headings_sharing_dates_and_long_headings_get_distinct_nodes() -> None:
    long_a = "Société " + "x" * 100 + " A"
    long_b = "Société " + "x" * 100 + " B"
    headings = ["Толстой, Лев Николаевич (1828-1910)", "تولستوي، ليو (1828-1910)",
                "托尔斯泰 (1828-1910)", long_a, long_b]
    names = "".join(f"<persname>{h}</persname>" for h in headings)
    record = parse(_notice(names=names).encode(), "x.xml")[0]
    graph = convert(record, "http://ex.org/").graph
    nodes = {str(s) for s in graph.subjects(FOAF.name, None) if "/id/agent/" in str(s)}
    assert len(nodes) == 5, nodes
    assert all(len(n) < 140 for n in nodes)


def test_two_eadids_that_normalise_to_one_key_are_a_collision_naming_both(
        tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "a.xml").write_text(_notice("IR/1"), encoding="utf-8")
    (tmp_path / "b.xml").write_text(_notice("IR-1"), encoding="utf-8")
    report = Pipeline(settings, derive=False).run([tmp_path / "a.xml", tmp_path / "b.xml"],
                                                  open_write(settings.store_dir))
    assert report.loaded == 1
    (issue,) = report.rejected
    assert "collision" in issue.message and "'IR/1'" in issue.message
    assert "'IR-1'" in issue.message and "a.xml" in issue.message


def test_a_key_collision_with_a_notice_in_the_store_is_rejected_not_replaced(
        tmp_path: Path, settings: Settings) -> None:
    store = open_write(settings.store_dir)
    (tmp_path / "a.xml").write_text(_notice("IR/1"), encoding="utf-8")
    Pipeline(settings, derive=False).run([tmp_path / "a.xml"], store)
    (tmp_path / "b.xml").write_text(_notice("IR-1"), encoding="utf-8")
    report = Pipeline(settings, derive=False).run([tmp_path / "b.xml"], store)
    assert report.exit_code == 1 and "collision" in report.rejected[0].message
    assert store.ask('ASK { ?c <https://w3id.org/collex/def#findingAidIdentifier> "IR/1" }')
    # the same eadid from a file of another name replaces it, with a warning
    (tmp_path / "c.xml").write_text(_notice("IR/1"), encoding="utf-8")
    report = Pipeline(settings, derive=False).run([tmp_path / "c.xml"], store)
    assert report.exit_code == 0
    assert any("a.xml" in w.message for w in report.warnings)


def _hostile_doctypes(tmp_path: Path) -> dict[str, str]:
    fifo = tmp_path / "fifo.dtd"
    os.mkfifo(fifo)
    return {
        "http": '<!DOCTYPE ead SYSTEM "http://www.loc.gov/ead/ead.dtd">',
        "stdin": '<!DOCTYPE ead SYSTEM "/dev/stdin">',
        "fifo": f'<!DOCTYPE ead SYSTEM "{fifo}">',
        "missing": '<!DOCTYPE ead PUBLIC "+//ISBN 1-931666-00-8//DTD ead.dtd//EN"'
                   ' "dtd/missing/ead.dtd">',
    }


def test_a_doctype_is_never_opened_and_never_a_reason_to_reject(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    doctypes = _hostile_doctypes(tmp_path)
    for name, doctype in doctypes.items():
        (folder / f"{name}.xml").write_text(_notice(f"IR-{name}", doctype=doctype),
                                            encoding="utf-8")
    # a FIFO opened for reading blocks until a writer comes: keep one ready, as an attacker
    # would not, so that a regression hangs on the timeout below rather than forever
    out = subprocess.run([str(COLLEX), "validate", str(folder), "--json"], capture_output=True,
                         text=True, timeout=30, stdin=subprocess.DEVNULL, check=False,
                         env={**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")})
    assert out.returncode == 0, out.stderr
    assert '"loaded": 4' in out.stdout


def test_strace_shows_no_attempt_to_open_or_fetch_the_dtd(tmp_path: Path) -> None:
    if shutil.which("strace") is None:
        if os.environ.get("CI"):
            pytest.fail("strace is missing: .ci/run installs it")
        pytest.skip("strace not installed (apt-get install strace)")
    doctypes = _hostile_doctypes(tmp_path)
    files = []
    for name, doctype in doctypes.items():
        path = tmp_path / f"{name}.xml"
        path.write_text(_notice(f"IR-{name}", doctype=doctype), encoding="utf-8")
        files.append(str(path))
    trace = tmp_path / "trace.txt"
    unblock = threading.Timer(20, lambda: open(tmp_path / "fifo.dtd", "wb").close())
    unblock.start()
    try:
        subprocess.run(["strace", "-f", "-o", str(trace), "-e", "trace=open,openat,connect",
                        str(COLLEX), "validate", *files], capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL, check=False,
                       env={**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")})
    finally:
        unblock.cancel()
    lines = trace.read_text(encoding="utf-8", errors="replace").splitlines()
    assert any("stdin.xml" in line for line in lines)  # the trace did see the files
    for needle in ("ead.dtd", "fifo.dtd", "/dev/stdin", "loc.gov"):
        assert not [line for line in lines if needle in line], needle
    assert not [line for line in lines if "connect(" in line and "AF_INET" in line]


def test_a_finding_aid_with_two_different_eadids_is_rejected(tmp_path: Path,
                                                             settings: Settings) -> None:
    path = tmp_path / "two.xml"
    path.write_text(_notice("IR-1").replace("<eadid>IR-1</eadid>",
                                            "<eadid>IR-1</eadid><eadid>IR-2</eadid>"),
                    encoding="utf-8")
    report = Pipeline(settings).run([path], None)
    assert report.loaded == 0 and "<eadid> elements" in report.rejected[0].message


def test_a_marcxml_record_with_two_001_replaces_no_authority(tmp_path: Path,
                                                             settings: Settings) -> None:
    record = ('<record><leader>     cx  a22     3  45  </leader>'
              '<controlfield tag="001">{a}</controlfield>{b}'
              '<controlfield tag="008">Tp5</controlfield><datafield tag="200" ind1=" " ind2="1">'
              '<subfield code="a">Nom</subfield></datafield></record>')
    good = record.format(a="027058352", b="")
    bad = record.format(a="027059952", b='<controlfield tag="001">027058352</controlfield>')
    (tmp_path / "a.xml").write_text(f"<collection>{good}{bad}</collection>", encoding="utf-8")
    report = Pipeline(settings).run([tmp_path / "a.xml"], open_write(settings.store_dir))
    assert report.loaded == 1
    (issue,) = report.rejected
    assert "two 001 fields" in issue.message

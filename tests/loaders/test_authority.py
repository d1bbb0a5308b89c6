from __future__ import annotations

import pytest

from loaders.authority import classify, ppn_check_char, ppn_is_valid

REAL_PPNS = ["027182800", "026403781", "15863621X", "03463486X", "139408088", "175206562"]


@pytest.mark.parametrize("ppn", REAL_PPNS)
def test_real_ppns_validate(ppn: str) -> None:
    assert ppn_is_valid(ppn)
    assert classify(ppn, None).iri == f"http://www.idref.fr/{ppn}/id"  # type: ignore[union-attr]


@pytest.mark.parametrize("ppn", REAL_PPNS)
def test_any_changed_digit_is_caught(ppn: str) -> None:
    for pos in range(8):
        digit = str((int(ppn[pos]) + 1) % 10)
        assert not ppn_is_valid(ppn[:pos] + digit + ppn[pos + 1:])


def test_check_character_ten_is_x() -> None:
    assert ppn_check_char("15863621") == "X"
    assert ppn_is_valid("15863621x")


@pytest.mark.parametrize(
    ("value", "source", "system", "iri"),
    [
        ("https://www.idref.fr/027058352", None, "idref", "http://www.idref.fr/027058352/id"),
        ("http://www.idref.fr/027058352/id", "idref", "idref",
         "http://www.idref.fr/027058352/id"),
        ("ark:/12148/cb11976886h", "OPP", "bnf",
         "http://data.bnf.fr/ark:/12148/cb11976886h#about"),
        ("https://catalogue.bnf.fr/ark:/12148/cb11976886h", None, "bnf",
         "http://data.bnf.fr/ark:/12148/cb11976886h#about"),
        ("FRAN_NP_005422", None, "fran",
         "https://rdf.archives-nationales.culture.gouv.fr/agent/005422"),
        ("d3ndfq4vy8-1fp948mxqaef6", "FRAN_RI_004", "fran",
         "https://rdf.archives-nationales.culture.gouv.fr/thing/FRAN_RI_004-d3ndfq4vy8-1fp948mxqaef6"),
        ("X123", "gnd", "gnd", None),
    ],
)
def test_authority_system_from_shape_and_source(
    value: str, source: str | None, system: str, iri: str | None
) -> None:
    ref = classify(value, source)
    assert ref is not None and (ref.system, ref.iri, ref.problem) == (system, iri, None)


def test_rcr_only_on_repository() -> None:
    assert classify("751052116", "RCR", repository=True).system == "rcr"  # type: ignore[union-attr]
    assert classify("FR-751052116", None, repository=True).system == "isil"  # type: ignore[union-attr]
    # 9 digits elsewhere are a PPN shape: checked as such.
    assert classify("751052116", None).system == "idref"  # type: ignore[union-attr]


@pytest.mark.parametrize(("value", "source"), [("027058351", None), ("12345", "idref"),
                                                ("02705835", "rameau")])
def test_invalid_ppns_are_reported_without_iri(value: str, source: str | None) -> None:
    ref = classify(value, source)
    assert ref is not None and ref.iri is None
    assert ref.problem and "invalid IdRef PPN" in ref.problem

from __future__ import annotations

import pytest

from loaders.dates import normalise


@pytest.mark.parametrize(
    ("normal", "text", "start", "end"),
    [
        ("1995-01-01 / 1997-12-31", None, "1995-01-01", "1997-12-31"),
        ("1995-01-01/1997-12-31", None, "1995-01-01", "1997-12-31"),
        ("1932/1990", None, "1932-01-01", "1990-12-31"),
        ("1932", None, "1932-01-01", "1932-12-31"),
        ("1890-03/1954-11", None, "1890-03-01", "1954-11-30"),
        ("1900-02", None, "1900-02-01", "1900-02-28"),
        ("2000-02", None, "2000-02-01", "2000-02-29"),
        ("1850-00-00/1860-00-00", None, "1850-01-01", "1860-12-31"),
        (None, "1995-1997", "1995-01-01", "1997-12-31"),
        (None, "[vers 1850]", "1850-01-01", "1850-12-31"),  # with a note (below)
        (None, "XIXe siècle", "1801-01-01", "1900-12-31"),
        (None, "XVIIe-XVIIIe siècles", "1601-01-01", "1800-12-31"),
        (None, None, None, None),
    ],
)
def test_normalise(normal: str | None, text: str | None, start: str | None,
                   end: str | None) -> None:
    rng = normalise(normal, text)
    assert (rng.start, rng.end, rng.problem) == (start, end, None)


@pytest.mark.parametrize("normal", ["1997-13-45", "1997-02-30", "19xx", "1990/1980", "1990/",
                                    "1/2/3"])
def test_bad_normal_is_a_problem_not_an_exception(normal: str) -> None:
    rng = normalise(normal, "whatever 1950")
    assert rng.start is None and rng.end is None and rng.problem


@pytest.mark.parametrize(("text", "problem"), [
    ("1850-1790", "date 1850-1790 ends before it starts"),
    ("s.d.", "undated (s.d.)"),
    ("[s. d.]", "undated ([s. d.])"),
    ("sans date", "undated (sans date)"),
])
def test_text_that_is_not_a_range_is_flagged_not_rewritten(text: str, problem: str) -> None:
    """Issue #12: "1850-1790" was swapped into 1790-1850, "s.d." passed silently."""
    rng = normalise(None, text)
    assert (rng.start, rng.end, rng.problem) == (None, None, problem)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("ca. 1900", "1900-01-01", "1900-12-31"),
    ("vers 1850", "1850-01-01", "1850-12-31"),
    ("1850 ?", "1850-01-01", "1850-12-31"),
    ("circa 1900-1910", "1900-01-01", "1910-12-31"),
])
def test_approximate_dates_keep_their_years_with_a_note(text: str, start: str,
                                                        end: str) -> None:
    """Issue #12: "ca. 1900" became exactly 1900 without a word."""
    rng = normalise(None, text)
    assert (rng.start, rng.end, rng.problem) == (start, end, None)
    assert rng.note is not None and text in rng.note


def test_year_zero_is_not_a_date() -> None:
    assert normalise("0000", None).problem

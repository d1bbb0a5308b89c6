"""The harvest sources file: the shipped example, its schema, and every mistake reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders.harvest.sources import (
    EXAMPLE_PATH,
    SCHEMA_PATH,
    SourcesError,
    json_schema,
    load_sources,
)
from tests.conftest import CliRun


def test_the_example_lists_calames_and_idref_and_is_valid() -> None:
    sources = load_sources(EXAMPLE_PATH)
    hosts = {s.url for s in sources}
    assert "http://www.calames.abes.fr/oai/oai2.aspx" in hosts
    assert "https://www.idref.fr/OAI/oai.jsp" in hosts
    assert {s.kind for s in sources} == {"ead", "dc", "idref"}


def test_the_schema_file_is_the_model_s() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == json_schema(), (
        "regenerate: python -c 'from loaders.harvest.sources import *;"
        " SCHEMA_PATH.write_text(json_schema())'")


def test_the_example_validates_against_the_json_schema() -> None:
    import tomllib

    import jsonschema_rs

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    data = tomllib.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    jsonschema_rs.validate(schema, data)
    data["source"][0]["kind"] = "marc"
    with pytest.raises(jsonschema_rs.ValidationError):
        jsonschema_rs.validate(schema, data)


def test_every_mistake_is_named_with_its_source(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text("""
[[source]]
id = "ok"
name = "fine"
url = "https://oai.example.org/oai"
metadata_prefix = "ead"
kind = "ead"

[[source]]
id = "Bad Id"
name = "x"
url = "ftp://oai.example.org/?verb=Identify"
metadata_prefix = "ead"
kind = "marc"
institution = "Sorbonne"
contact = "nobody"
rate = 3
""", encoding="utf-8")
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    text = str(err.value)
    for field in ("id", "url", "kind", "institution", "contact", "rate"):
        assert f"source 2 (Bad Id): {field}" in text, (field, text)
    assert "source 1" not in text


@pytest.mark.parametrize(("content", "message"), [
    ("[[source]\nid=", "not valid TOML"),
    ('[[source]]\nid = "a"\nname = "A"\nurl = "https://x.org/oai"\nmetadata_prefix = "ead"\n'
     'kind = "ead"\n[[source]]\nid = "a"\nname = "B"\nurl = "https://y.org/oai"\n'
     'metadata_prefix = "ead"\nkind = "ead"\n', "two sources named 'a'"),
    ("sources = 1\n", "sources: Extra inputs are not permitted"),
])
def test_broken_files_are_refused_in_one_line(tmp_path: Path, content: str,
                                              message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourcesError, match=message):
        load_sources(path)


def test_harvest_usage_errors_are_one_line_and_exit_2(tmp_path: Path, cli: CliRun) -> None:
    missing = {"COLLEX_HARVEST_SOURCES": str(tmp_path / "none.toml")}
    cases = [
        ((), "name the sources to harvest, or --all"),
        (("--all",), "no sources file"),
        (("https://oai.example.org/oai",), "needs --metadata-prefix"),
        (("https://oai.example.org/oai", "--metadata-prefix", "mods"), "--kind"),
        (("https://oai.example.org/oai?verb=x", "--metadata-prefix", "ead"), "no query"),
        (("calames", "--metadata-prefix", "ead"), "go with a URL"),
        (("--status",), "no store at"),
        (("x", "--until", "yesterday"), "is not YYYY-MM-DD"),
    ]
    for args, message in cases:
        run = cli("harvest", *args, extra_env=missing)
        assert run.returncode == 2, (args, run.stderr)
        assert message in run.stderr, (args, run.stderr)
        assert "Traceback" not in run.stderr
    example = {"COLLEX_HARVEST_SOURCES": str(EXAMPLE_PATH)}
    run = cli("harvest", "nowhere", extra_env=example)
    assert run.returncode == 2 and "no source 'nowhere'" in run.stderr
    assert "calames-ead" in run.stderr

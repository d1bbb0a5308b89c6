"""OpenAPI is the contract: every operation has a summary and a documented answer, every
parameter a description and a bound; operation ids are unique."""

from __future__ import annotations

import warnings
from pathlib import Path

from api.app import create_app
from collex.settings import Settings

BOUNDS = ("maxLength", "maximum", "enum", "pattern", "maxItems")


def _bounded(schema: dict[str, object]) -> bool:
    options = [schema, *schema.get("anyOf", [])]  # type: ignore[list-item]
    return any(any(k in o for k in BOUNDS) for o in options if isinstance(o, dict))


def test_every_operation_and_parameter_is_documented(tmp_path: Path) -> None:
    app = create_app(Settings(store_dir=tmp_path / "store"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # duplicate operation ids warn
            spec = app.openapi()
    finally:
        app.state.changes.close()
    problems = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            if not op.get("summary"):
                problems.append(f"{where}: no summary")
            answers = op.get("responses", {})
            ok = answers.get("200") or answers.get("204")
            if not ok or ("200" in answers and not answers["200"].get("content")):
                problems.append(f"{where}: no documented answer")
            for p in op.get("parameters", []):
                if not p.get("description"):
                    problems.append(f"{where}: parameter {p['name']} has no description")
                if not _bounded(p.get("schema", {})):
                    problems.append(f"{where}: parameter {p['name']} is unbounded")
    assert problems == []
    assert len(spec["paths"]) >= 25

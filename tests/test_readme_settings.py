"""The README's settings table names every setting, with its default."""

from __future__ import annotations

import re
from pathlib import Path

from collex.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_with_its_default() -> None:
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r"^\| `(COLLEX_[A-Z_]+)` \| `([^`]*)` \|", README, re.MULTILINE)}
    for name, field in Settings.model_fields.items():
        env = f"COLLEX_{name.upper()}"
        assert env in README, env
        if env in rows and isinstance(field.default, (int, float)) and not isinstance(
                field.default, bool):
            assert float(rows[env]) == float(field.default), env

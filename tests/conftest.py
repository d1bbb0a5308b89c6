"""Shared test fixtures. Tests that need ../shared skip outside CI and fail inside CI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from collex.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = ROOT / "data" / "sample"
COLLEX = Path(sys.executable).parent / "collex"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite golden files from the current output (review the diff!)")


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared, required in CI."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing: CI must run with shared/ beside the clone")
        pytest.skip("../shared not available (outside CI)")
    return SHARED


@pytest.fixture(scope="session")
def an_ead(shared: Path) -> Path:
    return shared / "samples" / "an-rico-converter" / "ead"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store", base_iri="http://127.0.0.1:8000/")


CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> CliRun:
    """Run the installed ``collex`` command on a store of its own."""
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")}
    env.pop("COLLEX_BASE_IRI", None)

    def run(*args: str, extra_env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(COLLEX), *args], capture_output=True, text=True,
                              env={**env, **(extra_env or {})}, timeout=timeout, check=False)

    return run

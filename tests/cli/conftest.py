"""The Typer app with every command registered (as ``shopsense.cli.main`` does), and a runner for it."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

import shopsense.cli


@pytest.fixture(scope="session")
def cli_app():  # noqa: ANN201 - typer.Typer
    """Import every command module of the package (main() imports them all to register their commands)."""
    for module in pkgutil.iter_modules(shopsense.cli.__path__):
        if module.name != "__main__":
            importlib.import_module(f"shopsense.cli.{module.name}")
    from shopsense.cli.app import app

    return app


@pytest.fixture
def run_cli(cli_app, clean_env: dict, tmp_path: Path) -> Callable[..., Result]:  # noqa: ANN001
    """``run_cli(*args, database_url=None)`` runs ``shopsense --data-dir TMP [--database-url URL] *args`` in-process."""
    runner = CliRunner()

    def run(*args: str, database_url: str | None = None, data_dir: Path | None = None) -> Result:
        options = ["--data-dir", str(data_dir or tmp_path / "data")]
        if database_url:
            options += ["--database-url", database_url]
        return runner.invoke(cli_app, [*options, *args], catch_exceptions=True)

    return run


@pytest.fixture(scope="session")
def shopsense_executable() -> str:
    """The installed console script (entry point ``shopsense.cli:main``)."""
    found = shutil.which("shopsense") or str(Path(sys.executable).parent / "shopsense")
    assert Path(found).is_file(), "the shopsense console script is not installed (pip install -e '.[dev]')"
    return found

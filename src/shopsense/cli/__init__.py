"""The ``shopsense`` command line (Typer + Rich). Entry point only: nothing imports it."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.text import Text


def main() -> None:
    """Console entry point: known problems become one clear line and exit status 2, never a traceback."""
    from shopsense.cli import (  # noqa: F401 - importing registers the commands
        analytics, assistant, bench, demo, export, importing, profiles, recommenders, search, segments, serving, store, users,
    )
    from shopsense.cli.app import USER_ERRORS, app, console

    try:
        app()
    except USER_ERRORS as exc:
        Console(stderr=True, soft_wrap=True).print(Text.assemble(("error: ", "red"), str(exc)), highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)

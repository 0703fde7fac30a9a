"""One local[2] SparkSession per test module (the JVM starts once, ~10 s), skipped with the reason without pyspark/Java."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest

from shopsense.cli import main
from shopsense.spark.session import SparkUnavailableError, check_spark, spark_session


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    """A quiet ``local[2]`` session, active for the module, so the engine's own ``spark_session`` reuses it."""
    try:
        check_spark()
    except SparkUnavailableError as exc:
        pytest.skip(str(exc))
    with spark_session("local[2]", shuffle_partitions=2) as session:
        yield session


@pytest.fixture
def shopsense_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> Callable[..., tuple[int, str]]:
    """``shopsense_main(*ARGS)`` runs ``shopsense ARGS`` in-process through the console entry point (which turns
    known errors into one ``error:`` line, exit status 2); returns (exit status, stdout + stderr)."""

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["shopsense", *args])
        with pytest.raises(SystemExit) as stopped:
            main()
        captured = capsys.readouterr()
        return stopped.value.code, captured.out + captured.err

    return run

"""Without pyspark or Java, ``--engine spark`` says what to install, in one ``error:`` line (no JVM started here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shopsense.spark import session
from shopsense.spark.session import SparkUnavailableError, check_spark


def test_missing_pyspark_names_the_extra(
    clean_env: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shopsense_main  # noqa: ANN001
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    with pytest.raises(SparkUnavailableError, match=r'needs pyspark; install it with: pip install "shopsense\[spark\]"'):
        check_spark()
    code, output = shopsense_main("--data-dir", str(tmp_path / "data"), "train", "--engine", "spark")
    assert code == 2 and output.startswith("error: --engine spark needs pyspark") and len(output.strip().splitlines()) == 1


def test_missing_java_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark")
    monkeypatch.setattr(session.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(SparkUnavailableError, match="needs a Java runtime"):
        check_spark()


def test_spark_options_need_the_spark_engine(clean_env: dict, tmp_path: Path, shopsense_main) -> None:  # noqa: ANN001
    for option in (["--events", str(tmp_path)], ["--spark-master", "local[1]"]):
        code, output = shopsense_main("--data-dir", str(tmp_path / "data"), "train", *option)
        assert code == 2 and "need --engine spark" in " ".join(output.replace("│", " ").split())

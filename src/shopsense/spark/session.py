"""A SparkSession for the batch jobs; the only place that imports pyspark (an optional extra).

Local mode (``local[2]``, the default) runs the jobs in one JVM on this machine's cores; a cluster master
URL (``spark://…``, ``yarn``, ``k8s://…``) runs the same jobs on a cluster. The session is quiet (no web
UI, errors-only logging), binds the driver to 127.0.0.1 in local mode, keeps few shuffle partitions
(the exports are small next to Spark's default 200) and computes in UTC.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL_HINT = 'install it with: pip install "shopsense[spark]" (and a Java 17+ runtime)'


class SparkUnavailableError(RuntimeError):
    """pyspark or a Java runtime is missing, so ``--engine spark`` cannot run."""


def check_spark() -> None:
    """Raise :class:`SparkUnavailableError`, saying what to install, when pyspark or ``java`` is missing."""
    try:
        import pyspark  # noqa: F401 - only checking that it is installed
    except ImportError:
        raise SparkUnavailableError(f"--engine spark needs pyspark; {INSTALL_HINT}") from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkUnavailableError(
            f"--engine spark needs a Java runtime (java not on PATH, JAVA_HOME unset); {INSTALL_HINT}"
        )


def _new_session(master: str, shuffle_partitions: int, app_name: str) -> SparkSession:
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master).appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
    )  # fmt: skip
    if master.startswith("local"):
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def spark_session(
    master: str = "local[2]", *, shuffle_partitions: int = 4, app_name: str = "shopsense"
) -> Iterator[SparkSession]:
    """A SparkSession for the ``with`` block, stopped afterwards (a local JVM exits with it).

    A session already active in this process (a notebook's, a test's) is used as it is and left running.
    """
    check_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    with warnings.catch_warnings():  # pyspark warns at start and on every toPandas that it is not tested with pandas 3
        warnings.filterwarnings("ignore", module=r"pyspark\.")
        session = active or _new_session(master, shuffle_partitions, app_name)
        try:
            yield session
        finally:
            if active is None:
                session.stop()

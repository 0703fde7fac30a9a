"""Scheduled retraining beside a running server: ``shopsense serve --retrain-every 1h``.

Every interval a separate ``shopsense train`` process fits and activates new versions, so training never
holds the server's interpreter (GIL) or blocks a request; the server notices the newly active versions
within its refresh interval and swaps them in atomically (``serving.runtime``). A failed run is logged
and retried at the next interval.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading

from shopsense.config import Settings

log = logging.getLogger("shopsense.retrain")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds in ``"90s"``, ``"15m"``, ``"1h"``, ``"1d"`` (a bare number is seconds); ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"interval {text!r}: use a positive number with s, m, h or d, e.g. 1h")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


class RetrainScheduler:
    def __init__(self, settings: Settings, interval_s: float) -> None:
        self.command = [sys.executable, "-m", "shopsense.cli", "train"]
        # the store is passed in the environment, so a database password never shows in the process list
        self.env = {**os.environ, "SHOPSENSE_DATA_DIR": str(settings.data_dir),
                    "SHOPSENSE_DATABASE_URL": settings.resolved_database_url}  # fmt: skip
        self.interval_s = interval_s
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="shopsense-retrain", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            done = subprocess.run(self.command, env=self.env, capture_output=True, text=True, check=False)
            self.runs += 1
            if done.returncode != 0:
                log.error("scheduled training failed (exit %s): %s", done.returncode, done.stderr.strip()[-500:])

"""Training curves: iterative models report each epoch's loss and validation metrics here.

``TrainingLog(directory)`` writes ``directory/curves.json`` (rewritten after every epoch, so a
dashboard can poll it) and, when the ``tensorboard`` package is installed, TensorBoard event files in
the same directory (``tensorboard --logdir directory``; written with ``tensorboard.summary.Writer``,
which needs numpy only, so models without torch get curves too). A model takes it as an optional
argument of ``fit``::

    def fit(self, interactions, *, seed=0, log: TrainingLog | None = None):
        for epoch in range(1, self.epochs + 1):
            ...
            if log:
                log.epoch(epoch, loss=loss, **{"valid/NDCG@10": ndcg})

JSON: ``{"run": name, "epochs": [{"epoch": 1, "seconds": 12.3, "loss": 0.53, ...}, ...]}``, with
``seconds`` counted from the log's creation.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self


class TrainingLog:
    def __init__(
        self,
        directory: Path,
        *,
        run: str = "",
        tensorboard: bool = True,
        on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    ) -> None:
        """``on_epoch(epoch, values)`` is called after each epoch, e.g. to update a progress bar."""
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.run = run or self.directory.name
        self.epochs: list[dict[str, float]] = []
        self.on_epoch = on_epoch
        self._started = time.perf_counter()
        self._writer = None
        if tensorboard:
            try:
                from tensorboard.summary import Writer
            except ImportError:  # the torch extra is not installed: JSON only
                pass
            else:
                self._writer = Writer(str(self.directory))

    @property
    def path(self) -> Path:
        return self.directory / "curves.json"

    def epoch(self, epoch: int, **values: float) -> None:
        """Record one epoch's values (loss, ``valid/NDCG@10`` …) under step ``epoch``."""
        values = {name: float(value) for name, value in values.items()}
        self.epochs.append({"epoch": epoch, "seconds": round(time.perf_counter() - self._started, 3), **values})
        self.path.write_text(json.dumps({"run": self.run, "epochs": self.epochs}, indent=1))
        if self._writer is not None:
            for name, value in values.items():
                self._writer.add_scalar(name, value, step=epoch)
            self._writer.flush()
        if self.on_epoch:
            self.on_epoch(epoch, values)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

"""Matplotlib building blocks for the report: one look, PNG bytes out; ``Figure`` objects only (no pyplot state)."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter, StrMethodFormatter

ACCENT = "#3867d6"
MAX_LABELLED_BARS = 16
PALETTE = ("#3867d6", "#f7b731", "#20bf6b", "#eb3b5a", "#8854d0", "#0fb9b1", "#fa8231", "#4b6584")


def figure(
    width: float = 8.0, height: float = 4.0, *, ncols: int = 1, nrows: int = 1, width_ratios: Sequence[float] | None = None
) -> tuple[Figure, list[Axes]]:
    """A figure and its axes (always a flat list), laid out so that labels never overlap."""
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = list(fig.subplots(nrows, ncols, squeeze=False, width_ratios=width_ratios).flat)
    for ax in axes:
        ax.grid(True, alpha=0.3)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
    return fig, axes


def set_title(ax: Axes, text: str) -> None:
    ax.set_title(text, fontsize=10.5, fontweight="bold", loc="left")


def png(fig: Figure) -> bytes:
    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def short(label: object, width: int = 32) -> str:
    text = str(label)
    return text if len(text) <= width else text[: width - 1] + "…"


def hbars(ax: Axes, labels: Sequence[object], values: Sequence[float | None], *, xlabel: str, title: str,
          notes: Sequence[str] | None = None, color: str = ACCENT) -> None:  # fmt: skip
    """Horizontal bars, first label on top, each bar labelled with its value (or its entry in ``notes``)."""
    numbers = [v or 0 for v in values]
    positions = np.arange(len(numbers))[::-1]
    bars = ax.barh(positions, numbers, color=color)
    ax.set_yticks(positions, [short(label) for label in labels])
    ax.bar_label(bars, notes or [f"{v:,.0f}" for v in numbers], padding=3, fontsize=8)
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel(xlabel)
    set_title(ax, title)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, max(numbers, default=1) * 1.18 or 1)


def vbars(ax: Axes, labels: Sequence[object], values: Sequence[float], *, xlabel: str, ylabel: str, title: str,
          notes: Sequence[str] | None = None, color: str = ACCENT) -> None:  # fmt: skip
    """Vertical bars in the given order, each labelled with its value (or its entry in ``notes``)."""
    bars = ax.bar(range(len(values)), values, color=color)
    ax.set_xticks(range(len(values)), [short(label, 14) for label in labels],
                  rotation=45 if len(values) > 8 else 0, ha="right" if len(values) > 8 else "center")  # fmt: skip
    if len(values) <= MAX_LABELLED_BARS:  # beyond that the labels collide; the report's JSON has every value
        ax.bar_label(bars, notes or [f"{v:,.0f}" for v in values], padding=2, fontsize=7 if len(values) > 10 else 8)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    set_title(ax, title)
    ax.grid(axis="x", visible=False)
    ax.set_ylim(0, max(values, default=1) * 1.15 or 1)


def matrix(fig: Figure, ax: Axes, values: Sequence[Sequence[float | None]], *, xlabels: Sequence[object],
           ylabels: Sequence[object], title: str, xlabel: str, ylabel: str, colorbar: str,
           cell_format: str | None = None, vmax: float | None = None, cmap: str = "Blues",
           percent: bool = False) -> None:  # fmt: skip
    """A heatmap; None cells stay blank. ``cell_format`` writes each value in its cell (small matrices);
    ``percent`` reads the values as shares on the colour bar."""
    data = np.array([[np.nan if v is None else v for v in row] for row in values], dtype=float)
    image = ax.imshow(data, aspect="auto", cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
    step_x = max(1, len(xlabels) // 24)
    step_y = max(1, len(ylabels) // 26)
    ax.set_xticks(range(0, len(xlabels), step_x), [str(x) for x in xlabels[::step_x]],
                  rotation=90 if len(xlabels) > 14 and len(str(xlabels[0])) > 3 else 0)  # fmt: skip
    ax.set_yticks(range(0, len(ylabels), step_y), [str(y) for y in ylabels[::step_y]])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    set_title(ax, title)
    ax.grid(False)
    fig.colorbar(image, ax=ax, label=colorbar, shrink=0.85, format=PercentFormatter(1.0) if percent else None)
    if cell_format is None:
        return
    top = vmax if vmax is not None else np.nanmax(data) if np.isfinite(data).any() else 1.0
    for (row, col), value in np.ndenumerate(data):
        if np.isfinite(value):
            ax.text(col, row, cell_format.format(value), ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 * top else "#222")  # fmt: skip

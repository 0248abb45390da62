"""The figure style both studies share: matplotlib without a display, the paper's colours, rcParams, `save`, and
titles that fit (`suptitle`, `title`: wrapped to the width of what they name, never widening the figure).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure, FigureBase, SubFigure  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

CLASS_LABELS = [str(c) for c in range(10)]
# The paper's colours: black = right after the ablation, red/green = newly wrong/right, blue = wrong only after a pair.
ACCURACY, DROP, GAIN, PAIR_ONLY = "0.15", "#d62728", "#2ca02c", "#1f4fd6"
STYLE: dict[RcKeyType, Any] = {
    "figure.dpi": 110, "savefig.dpi": 110, "savefig.bbox": "tight", "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10,
}
plt.rcParams.update(STYLE)
SUPTITLE_GAP = 8  # px between a figure's content and its title above it
# Behind a value label on a bar chart: hides a reference line (a dashed mean) where it passes behind the label.
LABEL_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}

__all__ = ["ACCURACY", "CLASS_LABELS", "DROP", "Figure", "GAIN", "LABEL_BOX", "PAIR_ONLY", "fit", "plt", "save",
           "signed", "suptitle", "title"]


def signed(value: float) -> str:
    """A change with its sign, two decimals; a zero as plain "0.00" (never "+0.00" or "-0.00")."""
    text = f"{value:+.2f}"
    return "0.00" if float(text) == 0 else text


def save(figure: Figure, path: str, description: str | None = None) -> None:
    """Write the figure, with `description` (the provenance) in the PNG's metadata if given, and free it."""
    figure.savefig(path, metadata={"Description": description} if description is not None else None)
    plt.close(figure)


def _renderer(figure: FigureBase) -> Any:
    return figure.canvas.get_renderer()  # type: ignore[attr-defined]


def fit(text: Text, width: float) -> Text:
    """Wrap `text` at spaces (its own line breaks kept) until it is at most `width` pixels wide."""
    figure = text.get_figure()
    assert figure is not None, "the text must be in a figure"
    renderer = _renderer(figure)
    lines = text.get_text().split("\n")
    chars = max(len(line) for line in lines)
    measured = text.get_window_extent(renderer).width
    while measured > width and chars > 12:
        chars = min(chars - 1, int(chars * width / measured))
        text.set_text("\n".join(textwrap.fill(line, chars, break_long_words=False) for line in lines))
        measured = text.get_window_extent(renderer).width
    return text


def title(ax: Axes, label: str, **kwargs: Any) -> Text:
    """The Axes' title, wrapped to the Axes' width as drawn (call it after any colour bar took its space)."""
    ax.apply_aspect()  # an image's Axes shrinks to its aspect when drawn
    return fit(ax.set_title(label, **kwargs), ax.get_window_extent().width)


def suptitle(figure: Figure | SubFigure, label: str, **kwargs: Any) -> Text:
    """The figure's title, wrapped to the width of its Axes and set just above everything else in it (its Axes'
    titles, tick labels and legends): call it last. Saved with the style's tight box, the figure grows to hold it
    and is never wider than its content."""
    axes = [ax for ax in figure.get_axes() if ax.get_visible()]  # a subfigure's own, or all of a figure's
    if not axes:
        return figure.suptitle(label, **kwargs)
    renderer = _renderer(figure)
    area = Bbox.union([ax.get_window_extent(renderer) for ax in axes])
    top = figure.get_tightbbox(renderer).transformed(figure.dpi_scale_trans).y1
    frame = figure.bbox
    text = figure.suptitle(label, y=(top + SUPTITLE_GAP - frame.y0) / frame.height, va="bottom",
                           x=((area.x0 + area.x1) / 2 - frame.x0) / frame.width, **kwargs)
    return fit(text, area.width)

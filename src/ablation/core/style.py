"""The figure style both studies share: matplotlib without a display, the paper's colours, rcParams, `save`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

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

__all__ = ["ACCURACY", "CLASS_LABELS", "DROP", "Figure", "GAIN", "PAIR_ONLY", "plt", "save"]


def save(figure: Figure, path: str, description: str | None = None) -> None:
    """Write the figure, with `description` (the provenance) in the PNG's metadata if given, and free it."""
    figure.savefig(path, metadata={"Description": description} if description is not None else None)
    plt.close(figure)

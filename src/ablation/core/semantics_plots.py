"""The figure both studies draw to compare ablation semantics: every ablation's drop under the reference semantics
against its drop under each other one, one panel each, with the rank agreement the rankings table holds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ablation.core.style import ACCURACY, Figure, plt, suptitle, title

MARKERS = ("o", "^", "s", "D")


def interval(value: float, low: float, high: float) -> str:
    """`0.85 [0.80, 0.90]`, or the value alone where the interval is undefined (too few networks or groups)."""
    if np.isnan(low) or np.isnan(high):
        return "n/a" if np.isnan(value) else f"{value:.2f}"
    return f"{value:.2f} [{low:.2f}, {high:.2f}]"


def agreement_line(label: str, row: pd.Series) -> str:
    """A rankings row (`ablation.core.rankings`) in words: Spearman's rho and the top-k share, with intervals."""
    return (f"{label}: rho {interval(row.spearman, row.spearman_low, row.spearman_high)}, top {int(row.top)} "
            f"shared {interval(row.overlap, row.overlap_low, row.overlap_high)}")


def drops_against_reference(drops: pd.DataFrame, reference: str, lines: dict[str, list[str]], unit: str,
                            heading: str, colours: dict[str, str] | None = None) -> Figure:
    """`drops`: columns semantics, kind, ablation, drop (one row per ablation and semantics); a panel per semantics
    in `lines` (what its title says below its name), a marker per kind, coloured as `colours` says (else in turn)."""
    others = list(lines)
    figure, axes = plt.subplots(1, len(others), figsize=(4.2 * len(others), 4.6), squeeze=False)
    wide = drops.pivot_table(index=["kind", "ablation"], columns="semantics", values="drop", sort=False)
    kinds = drops.kind.value_counts(sort=True).index.tolist()  # the most numerous first, below the others
    limits = np.nanmin(wide.to_numpy()), np.nanmax(wide.to_numpy())
    for ax, name in zip(axes[0], others):
        for index, (kind, marker) in enumerate(zip(kinds, MARKERS)):
            colour = (colours or {}).get(kind, f"C{index}")
            part = wide.xs(kind, level="kind")
            ax.scatter(part[reference], part[name], s=10, marker=marker, color=colour, alpha=0.6, lw=0, label=kind)
        ax.plot(limits, limits, lw=0.6, color=ACCURACY, ls="--")
        ax.set(xlabel=f"drop under {reference} [{unit}]", ylabel=f"drop under {name} [{unit}]")
        title(ax, "\n".join([f"{name} against {reference}", *lines[name]]), fontsize=8)
    axes[0, -1].legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    suptitle(figure, heading, fontsize=9)
    return figure

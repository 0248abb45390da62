"""The Shapley figures of the MNIST study (beyond the paper), drawn from the tables of `ablation.mnist.shapley`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.transforms import Bbox

from ablation.core import style
from ablation.core.style import ACCURACY, CLASS_LABELS, DROP, Figure, plt

OTHERS = "0.7"  # the other networks' units, behind the featured network's
# Where a point's label may go, tried in this order: offset in points, alignment.
LABEL_PLACES = [((4, 2), "left", "bottom"), ((4, -2), "left", "top"), ((-4, 2), "right", "bottom"),
                ((-4, -2), "right", "top"), ((5, 0), "left", "center"), ((-5, 0), "right", "center"),
                ((0, 5), "center", "bottom"), ((0, -5), "center", "top")]
MARKER_PX = 4  # half the width of a featured point's marker, in pixels
LABELLED_PAIRS = 5  # pairs of the featured network named in the interaction scatter: the strongest (largest |index|)
CELL_NUMBERS = 40  # a heatmap's cells are numbered up to this many rows


def _summary(correlations: pd.DataFrame, comparison: str, layer: str) -> str:
    """`rho = mean [95 % interval] over N networks` of one comparison, from the correlations table."""
    row = correlations[(correlations.comparison == comparison) & (correlations.layer == layer)
                       & (correlations.network == "mean")]
    if row.empty:
        return ""
    r = row.iloc[0]
    interval = "" if np.isnan(r.ci_low) else f" [{r.ci_low:.2f}, {r.ci_high:.2f}]"
    return f"Spearman rho {r.spearman:.2f}{interval}, mean of {int(r.n)} networks"


def _scatter(ax: plt.Axes, table: pd.DataFrame, x: str, y: str, network: str) -> pd.DataFrame:
    """Every network's points in grey, the featured network's in black; returns the featured network's rows."""
    others, featured = table[table.network != network], table[table.network == network]
    ax.scatter(others[x], others[y], s=8, color=OTHERS, label="other networks", rasterized=True)
    ax.scatter(featured[x], featured[y], s=18, color=ACCURACY, label=f"network {network}")
    return featured


def _crosses(box: Bbox, segment: np.ndarray) -> bool:
    """Whether the segment ((x0, y0), (x1, y1)) in pixels passes through the box."""
    (x0, y0), (x1, y1) = segment
    if max(x0, x1) < box.x0 or min(x0, x1) > box.x1 or max(y0, y1) < box.y0 or min(y0, y1) > box.y1:
        return False
    sides = [(x1 - x0) * (cy - y0) - (y1 - y0) * (cx - x0) for cx, cy in box.corners()]
    return min(sides) < 0 < max(sides)


def _label_points(ax: plt.Axes, points: pd.DataFrame, x: str, y: str, label: str, most: int | None = None) -> None:
    """Label the points (only the `most` largest in |y|, if given), largest |y| first, each where its label overlaps
    no other label, point, legend or line of the Axes and stays inside it; a point with no such place stays
    unlabelled. Call it once the Axes' limits, lines and legend are final."""
    figure = ax.get_figure(root=True)
    assert figure is not None
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer).padded(-1)
    pixels = ax.transData.transform(points[[x, y]].to_numpy(dtype=float))
    taken = [Bbox.from_extents(px - MARKER_PX, py - MARKER_PX, px + MARKER_PX, py + MARKER_PX) for px, py in pixels]
    legend = ax.get_legend()
    if legend is not None:
        taken.append(legend.get_window_extent(renderer))
    taken.extend(text.get_window_extent(renderer) for text in ax.texts)
    segments = [segment for line in ax.get_lines() if line.get_linestyle() not in ("None", "")
                for points_px in [line.get_transform().transform(line.get_xydata())]
                for segment in zip(points_px[:-1], points_px[1:])]
    order = np.argsort(-points[y].abs().to_numpy(), kind="stable")[:most]
    for n in order:
        for offset, ha, va in LABEL_PLACES:
            text = ax.annotate(str(points[label].iloc[n]), tuple(points[[x, y]].iloc[n]), xytext=offset,
                               textcoords="offset points", ha=ha, va=va, fontsize=6.5)
            box = text.get_window_extent(renderer).padded(1)
            if (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
                    and not any(box.overlaps(other) for other in taken)
                    and not any(_crosses(box, np.array(segment)) for segment in segments)):
                taken.append(box)
                break
            text.remove()


def _identity(ax: plt.Axes, slope: float = 1.0) -> None:
    low, high = ax.get_xlim()
    ax.plot([low, high], [slope * low, slope * high], ls="--", lw=0.8, color=DROP, zorder=0)
    ax.set_xlim(low, high)


def shapley_vs_single_drop(values: pd.DataFrame, correlations: pd.DataFrame, network: str) -> Figure:
    """Per layer: each unit's single-ablation drop against its Shapley value (the identity line: no interactions)."""
    overall = values[values["class"] == "all"]
    layers = list(dict.fromkeys(overall.layer))
    figure, axes = plt.subplots(1, len(layers), figsize=(5.2 * len(layers), 4.4), squeeze=False)
    for ax, layer in zip(axes[0], layers):
        featured = _scatter(ax, overall[overall.layer == layer], "single_drop", "value", network)
        _identity(ax)
        ax.set_xlabel("single-unit ablation drop [%p]")
        ax.set_ylabel("Shapley value [%p]")
        style.title(ax, f"{layer}\n{_summary(correlations, 'shapley_vs_single_drop', layer)}", fontsize=8)
        if ax is axes[0][0]:
            ax.legend(fontsize=7, frameon=False, loc="upper left")
        _label_points(ax, featured, "single_drop", "value", "unit")
    style.suptitle(figure, "How much each unit matters: alone (single drop) and over all lesion sets (Shapley value)")
    return figure


def shapley_vs_weight_change(values: pd.DataFrame, mwu: pd.DataFrame, correlations: pd.DataFrame,
                             network: str) -> Figure:
    """Left: the Mann-Whitney p of each unit's weight change against its Shapley value. Right: per network and layer,
    Spearman's rho of p with the Shapley value and with the single drop, and their means with 95 % intervals."""
    units = values[values["class"] == "all"].merge(mwu.rename(columns={"units": "unit"})[["network", "layer", "unit",
                                                                                         "p"]])
    figure, (scatter, paired) = plt.subplots(1, 2, figsize=(11, 4.4))
    first = units[units.layer == units.layer.iloc[0]]
    first = first.assign(p=np.log10(first.p.clip(lower=1e-300)))
    featured = _scatter(scatter, first, "p", "value", network)
    scatter.set_xlabel("log10 Mann-Whitney p, trained vs initial incoming weights")
    scatter.set_ylabel("Shapley value [%p]")
    layer = first.layer.iloc[0]
    style.title(scatter, f"{layer}: {_summary(correlations, 'shapley_vs_weight_change_p', layer)}", fontsize=8)
    scatter.legend(fontsize=7, frameon=False)
    kinds = {"shapley_vs_weight_change_p": "with Shapley value", "single_drop_vs_weight_change_p": "with single drop"}
    per_network = correlations[correlations.network != "mean"]
    for offset, layer in enumerate(dict.fromkeys(units.layer)):
        wide = per_network[per_network.layer == layer].pivot(index="network", columns="comparison",
                                                            values="spearman")[list(kinds)]
        x = np.array([0, 1]) + 2.5 * offset
        for _, row in wide.iterrows():
            paired.plot(x, row.to_numpy(), color=OTHERS, lw=0.6, marker="o", ms=2.5)
        for position, comparison in zip(x, kinds):
            summary = correlations[(correlations.network == "mean") & (correlations.layer == layer)
                                   & (correlations.comparison == comparison)].iloc[0]
            paired.errorbar(position + 0.12, summary.spearman,
                            yerr=[[summary.spearman - summary.ci_low], [summary.ci_high - summary.spearman]],
                            color=ACCURACY, marker="s", capsize=3)
        paired.text(x.mean(), 1.05, layer, ha="center", fontsize=8)
    paired.set_xticks([0, 1, 2.5, 3.5], [*kinds.values(), *kinds.values()], fontsize=7, rotation=15)
    paired.axhline(0, lw=0.6, color="0.5")
    paired.set_ylim(-1.05, 1.12)
    paired.set_ylabel("Spearman rho with the Mann-Whitney p")
    style.title(paired, "per network (grey) and mean with 95 % interval (black)", fontsize=8)
    _label_points(scatter, featured, "p", "value", "unit")
    style.suptitle(figure, "Does the paper's weight-change indicator predict the Shapley value better than the single "
                           "drop?")
    return figure


def shapley_interactions(interactions: pd.DataFrame, correlations: pd.DataFrame, network: str) -> Figure:
    """Per exact layer: the paper's pair interaction (pair drop minus the singles') against the interaction index."""
    overall = interactions[interactions["class"] == "all"]
    layers = list(dict.fromkeys(overall.layer))
    figure, axes = plt.subplots(1, len(layers), figsize=(5.2 * len(layers), 4.4), squeeze=False)
    for ax, layer in zip(axes[0], layers):
        featured = _scatter(ax, overall[overall.layer == layer], "pair_excess", "value", network)
        _identity(ax, slope=-1.0)
        ax.axhline(0, lw=0.5, color="0.5")
        ax.axvline(0, lw=0.5, color="0.5")
        ax.set_xlabel("pair drop minus the two single drops [%p]\n(> 0: super-additive)")
        ax.set_ylabel("Shapley interaction index [%p] (< 0: redundant)")
        style.title(ax, f"{layer}\n{_summary(correlations, 'interaction_vs_pair_excess', layer)}", fontsize=8)
        if ax is axes[0][0]:
            ax.legend(fontsize=7, frameon=False, loc="upper right")
        _label_points(ax, featured, "pair_excess", "value", "units", most=LABELLED_PAIRS)
    style.suptitle(figure, "Pair interactions: at the full network (the paper) and averaged over all lesion sets "
                           "(Shapley)")
    return figure


def _cell(value: float) -> str:
    """A heatmap cell's number: one decimal, and no sign on a zero."""
    text = f"{value:.1f}"
    return "0.0" if float(text) == 0 else text


def shapley_class_heatmap(values: pd.DataFrame, network: str) -> Figure:
    """Per layer: the featured network's Shapley value of every unit for overall and per-class accuracy."""
    featured = values[values.network == network]
    layers = list(dict.fromkeys(featured.layer))
    heights = [featured[featured.layer == layer].unit.nunique() for layer in layers]
    figure, axes = plt.subplots(len(layers), 1, figsize=(8, 0.32 * sum(heights) + 0.9 * len(layers)),
                                gridspec_kw={"height_ratios": heights}, squeeze=False)
    columns = ["all", *CLASS_LABELS]
    for ax, layer in zip(axes[:, 0], layers):
        matrix = featured[featured.layer == layer].pivot(index="unit", columns="class", values="value")
        matrix = matrix.loc[sorted(matrix.index, key=int), columns]
        limit = float(np.abs(matrix.to_numpy()).max()) or 1.0
        image = ax.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        if len(matrix) <= CELL_NUMBERS:
            for (row, column), value in np.ndenumerate(matrix.to_numpy()):
                ax.text(column, row, _cell(value), ha="center", va="center", fontsize=7,
                        color="white" if abs(value) > 0.6 * limit else "black")
        ax.set_xticks(range(len(columns)), columns)
        ax.set_yticks(range(len(matrix)), matrix.index)
        ax.set_ylabel(f"{layer} unit")
        figure.colorbar(image, ax=ax, label="Shapley value [%p]")
        sampled = featured[(featured.layer == layer) & (featured.method == "sampled")]
        style.title(ax, layer + (" (sampled orders)" if len(sampled) else " (exact, all lesion sets)"), fontsize=8)
    axes[-1, 0].set_xlabel("class")
    style.suptitle(figure, f"Network {network}: each unit's Shapley value for each class")
    return figure

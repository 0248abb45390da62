"""Every figure of the MNIST study, drawn from plain tables or arrays; `ablation.core.style` holds the style.

Each function returns a matplotlib Figure; `ablation.mnist.figures` reads the result files and saves it.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from ablation.core import style
from ablation.core.data_source import AUTHORS, COMPUTED
from ablation.core.style import ACCURACY, CLASS_LABELS, DROP, GAIN, LABEL_BOX, PAIR_ONLY, Figure, plt, signed

__all__ = ["CLASS_LABELS", "Figure"]


def _class_series(table: pd.DataFrame, column: str) -> np.ndarray:
    """Values for `all` then classes 0-9, from a frame with a `class` column."""
    indexed = table.set_index("class")[column]
    return indexed.reindex(["all", *CLASS_LABELS]).to_numpy(dtype=float)


def _change_label(change: float) -> tuple[str, str]:
    """An accuracy change as printed over its bar, and its colour: green a gain, red a drop, a zero neutral (no
    "+0.00" in red)."""
    text = signed(change)
    return text, ACCURACY if text == "0.00" else (GAIN if change > 0 else DROP)


def _accuracy_bars(ax: plt.Axes, intact: np.ndarray, ablated: np.ndarray, pair_only: np.ndarray | None = None) -> None:
    """Black: accuracy kept; red: the drop, of it blue the items only the pair loses; green: a gain."""
    x = np.arange(11)
    drop = intact - ablated
    kept = np.minimum(intact, ablated)
    lost = np.clip(drop, 0, None)
    redundant = np.zeros(11) if pair_only is None else np.minimum(np.clip(pair_only, 0, None), lost)
    ax.bar(x, kept, color=ACCURACY, label="accuracy kept")
    ax.bar(x, lost - redundant, bottom=kept, color=DROP, label="drop")
    if pair_only is not None:
        ax.bar(x, redundant, bottom=kept + lost - redundant, color=PAIR_ONLY, label="lost only after the pair")
    ax.bar(x, np.clip(-drop, 0, None), bottom=kept, color=GAIN, label="gain")
    for xi, d in zip(x, drop):
        text, colour = _change_label(-d)
        ax.text(cast(float, xi), max(intact[xi], ablated[xi]) + 1.5, text, ha="center", fontsize=6.5, color=colour,
                bbox=LABEL_BOX)
    ax.axhline(ablated[0], ls="--", lw=0.8, color=ACCURACY)
    ax.set_xticks(x, ["all", *CLASS_LABELS])
    ax.set_xlabel("class")
    ax.set_ylabel("accuracy [%]")
    ax.set_ylim(0, 112)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, frameon=False)


def _tsne_overlay(ax: plt.Axes, coords: np.ndarray, layers: list[tuple[np.ndarray, str, str]]) -> None:
    ax.scatter(coords[:, 0], coords[:, 1], s=1, color="0.85", rasterized=True)
    for mask, color, label in layers:
        ax.scatter(coords[mask, 0], coords[mask, 1], s=4, color=color, label=f"{label} ({mask.sum()})", rasterized=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=3, markerscale=3, frameon=False)


def intact_network(table: pd.DataFrame, coords: np.ndarray, correct: np.ndarray, network: str) -> Figure:
    """Fig. 2: overall and class accuracy of the intact network, and the t-SNE map with its errors in red."""
    figure, (bars, tsne) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1.4, 1]})
    values = _class_series(table, "accuracy")
    bars.bar(np.arange(11), values, color=ACCURACY)
    for x, value in enumerate(values):
        bars.text(x, value + 1.5, f"{value:.2f}", ha="center", fontsize=7, bbox=LABEL_BOX)
    bars.axhline(values[0], ls="--", lw=0.8, color=ACCURACY)
    bars.set_xticks(np.arange(11), ["all", *CLASS_LABELS])
    bars.set(xlabel="class", ylabel="accuracy [%]", ylim=(0, 110))
    tsne.scatter(coords[correct, 0], coords[correct, 1], s=1, color=ACCURACY, label=f"right ({correct.sum()})",
                 rasterized=True)
    tsne.scatter(coords[~correct, 0], coords[~correct, 1], s=4, color=DROP, label=f"wrong ({(~correct).sum()})",
                 rasterized=True)
    tsne.set(xticks=[], yticks=[])
    tsne.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=2, markerscale=3, frameon=False)
    style.suptitle(figure, f"Intact network {network}: test accuracy and misclassified digits")
    return figure


MAP_TITLES = {AUTHORS: "the authors' published map", COMPUTED: "computed in this run"}


def tsne_classes(coords: np.ndarray, labels: np.ndarray, kind: str) -> Figure:
    """The map coloured by class; `kind` (`data_source.map_kind`) says whose map it is."""
    figure, ax = plt.subplots(figsize=(5.5, 5))
    cmap = plt.get_cmap("tab10")
    for c in range(10):
        chosen = labels == c
        ax.scatter(coords[chosen, 0], coords[chosen, 1], s=1.5, color=cmap(c), rasterized=True)
        # On a white box: at the class's median its own dots would hide it.
        ax.annotate(str(c), np.median(coords[chosen], axis=0), fontsize=14, weight="bold", color=cmap(c), ha="center",
                    va="center", bbox=LABEL_BOX)
    ax.set(xticks=[], yticks=[])
    style.title(ax, f"t-SNE of the {len(labels):,} test digits: {MAP_TITLES[kind]}")
    return figure


def unit_ablation(title: str, intact: pd.DataFrame, ablated: pd.DataFrame, coords: np.ndarray,
                  newly_wrong: np.ndarray, newly_right: np.ndarray,
                  pair_only: np.ndarray | None = None, pair_only_share: pd.DataFrame | None = None) -> Figure:
    """Class accuracies after ablating a unit (or pair) and where its newly wrong and newly right items lie."""
    figure, (bars, tsne) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1.4, 1]})
    share = None if pair_only_share is None else _class_series(pair_only_share, "share")
    _accuracy_bars(bars, _class_series(intact, "accuracy"), _class_series(ablated, "accuracy"), share)
    if pair_only is None:
        layers = [(newly_wrong, DROP, "newly wrong"), (newly_right, GAIN, "newly right")]
    else:
        layers = [(newly_wrong & ~pair_only, DROP, "newly wrong"), (newly_right, GAIN, "newly right"),
                  (pair_only, PAIR_ONLY, "wrong only after the pair")]
    _tsne_overlay(tsne, coords, layers)
    style.suptitle(figure, title)
    return figure


def drop_heatmap(matrices: dict[str, pd.DataFrame], network: str) -> Figure:
    figure, axes = plt.subplots(1, len(matrices), figsize=(5 * len(matrices), 5.5), squeeze=False)
    limit = max(float(np.abs(m.to_numpy()).max()) for m in matrices.values())
    for ax, (layer, matrix) in zip(axes[0], matrices.items()):
        image = ax.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        ax.set_xticks(range(10), CLASS_LABELS)
        ax.set_yticks(range(len(matrix)), matrix.index)
        ax.set(xlabel="class", ylabel="ablated unit", title=f"{layer}")
    figure.colorbar(image, ax=axes[0].tolist(), label="accuracy drop [%p]")
    style.suptitle(figure, f"Single-unit ablations of network {network}: class accuracy drop")
    return figure


def singles_side_by_side(intact: pd.DataFrame, ablated: list[tuple[str, pd.DataFrame]], title: str) -> Figure:
    """Fig. A.4: class accuracies after each of two single ablations, left and right."""
    figure, axes = plt.subplots(1, len(ablated), figsize=(6 * len(ablated), 3.8), sharey=True)
    for ax, (name, rows) in zip(np.atleast_1d(axes), ablated):
        _accuracy_bars(ax, _class_series(intact, "accuracy"), _class_series(rows, "accuracy"))
        ax.set_title(name)
    style.suptitle(figure, title)
    return figure


def _weight_grid(figure, weights: np.ndarray, limit: float, title: str, pvalues: np.ndarray | None,
                 left: float):
    """A 4 x 5 grid of 28 x 28 weight images, each titled with its unit (and p on a second line), `left` to
    `left` + 0.95 of the (sub)figure's width."""
    axes = figure.subplots(4, 5, gridspec_kw={"left": left, "right": left + 0.95, "bottom": 0.01, "top": 0.9,
                                              "wspace": 0.08, "hspace": 0.35})
    for unit, ax in enumerate(axes.flat):
        image = ax.imshow(weights[unit].reshape(28, 28), cmap="seismic", vmin=-limit, vmax=limit)
        ax.set(xticks=[], yticks=[])
        for spine in ax.spines.values():
            spine.set(visible=True, linewidth=0.4)
        ax.set_title(f"unit {unit + 1}" + ("" if pvalues is None else f"\np = {pvalues[unit]:.0e}"), fontsize=7,
                     pad=2)
    figure.suptitle(title, fontsize=9, y=0.985, va="top")
    return axes, image


def weights_before_after(initial: np.ndarray, trained: np.ndarray, pvalues: np.ndarray, network: str) -> Figure:
    """Fig. 8: each first-layer unit's 784 incoming weights as a 28x28 image, before (left) and after training
    (right), on one colour scale (the trained weights'), the trained ones titled with the Mann-Whitney p. The two
    grids are laid out alike, so their tiles are the same size; the colour bar stands apart on the right."""
    figure = plt.figure(figsize=(11.5, 5.6))
    before, after, bar = cast(np.ndarray, figure.subfigures(1, 3, width_ratios=[1, 1, 0.09], wspace=0.0))
    limit = float(np.abs(trained).max())
    _weight_grid(before, initial, limit, "before training", None, left=0.0)
    axes, image = _weight_grid(after, trained, limit, "after training (p: Mann-Whitney U, trained vs initial)",
                               pvalues, left=0.05)
    top, bottom = axes[0, 0].get_position().y1, axes[-1, 0].get_position().y0
    bar.colorbar(image, cax=bar.add_axes((0.35, bottom + 0.1 * (top - bottom), 0.22, 0.8 * (top - bottom))),
                 label="weight")
    style.suptitle(figure, f"Incoming weights of the 20 units of hidden layer 1, network {network}")
    return figure


def _correlation_label(summary: pd.DataFrame) -> str:
    parts = []
    for row in summary.itertuples():
        symbol = "Pearson r" if row.method == "pearson" else "Spearman ρ"
        parts.append(f"{symbol} = {row.coefficient:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}], p = {row.p:.1e}")
    return "\n".join(parts)


def _p_scatter(ax: plt.Axes, points: pd.DataFrame, summary: pd.DataFrame, title: str, size: float) -> None:
    ax.scatter(points.p.clip(lower=1e-300), points["drop"], s=size, color=DROP, alpha=0.6)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set(xlabel="Mann-Whitney U p-value (trained vs initial weights)", ylabel="accuracy drop [%p]")
    style.title(ax, title)
    ax.text(0.02, 0.98, _correlation_label(summary), transform=ax.transAxes, va="top", fontsize=8)


def weight_change_vs_drop(panels: list[tuple[pd.DataFrame, pd.DataFrame, str]]) -> Figure:
    """Fig. 9: per unit, the p-value of its weight change against its ablation's drop; one panel per scope
    (points, correlation summary, title)."""
    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, (points, summary, title), size in zip(axes, panels, (18, 6)):
        _p_scatter(ax, points, summary, title, size)
    if len(panels) < 2:
        axes[1].axis("off")
        axes[1].text(0.5, 0.5, "no other networks to pool", ha="center", va="center", transform=axes[1].transAxes)
    return figure


def coefficient_kde(per_network: pd.DataFrame) -> Figure:
    """Fig. 10: the distribution (Gaussian KDE) of the per-network Pearson and Spearman coefficients."""
    from scipy.stats import gaussian_kde  # here: the other figures of this module start without scipy

    figure, ax = plt.subplots(figsize=(6.5, 4))
    grid = np.linspace(-1, 1, 400)
    for method, color in (("pearson", "C0"), ("spearman", "C1")):
        values = per_network[method].dropna().to_numpy()
        if len(values) > 1 and np.ptp(values) > 0:
            ax.plot(grid, gaussian_kde(values)(grid), color=color, label=method)
        ax.plot(values, np.zeros_like(values), "|", color=color, markersize=14)
    supporting = int((per_network.pearson < 0).sum())
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set(xlabel="correlation of MWU p-value with drop, per network", ylabel="density")
    style.title(ax, f"{len(per_network)} networks: {supporting} Pearson coefficients < 0 (support the trend)")
    ax.legend(frameon=False)
    return figure


def class_selectivity_lines(mean: pd.Series, examples: dict[str, pd.Series], networks: int) -> Figure:
    """Fig. 11: per class, the std across units of the class drop: the mean over networks (black) and single
    networks (shades of blue, each named in the legend)."""
    figure, ax = plt.subplots(figsize=(7, 3.8))
    shades = plt.get_cmap("Blues")(np.linspace(0.45, 0.9, max(len(examples), 1)))
    for (name, values), shade, marker in zip(examples.items(), shades, "s^vD<>ph"):
        ax.plot(range(10), values.reindex(CLASS_LABELS), color=shade, lw=1, alpha=0.9, marker=marker, ms=3.5,
                label=f"network {name}")
    ax.plot(range(10), mean.reindex(CLASS_LABELS), color="black", lw=2.2, marker="o",
            label=f"mean of {networks} networks")
    ax.set_xticks(range(10), CLASS_LABELS)
    ax.set(xlabel="class", ylabel="std of class drop across units [%p]")
    style.title(ax, "Class selectivity, hidden layer 1")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return figure


def pair_matrix(interactions: pd.DataFrame, width: int, network: str) -> Figure:
    """Upper triangle: pair drop; lower triangle: interaction (pair drop - sum of single drops)."""
    drop, interaction = np.full((width, width), np.nan), np.full((width, width), np.nan)
    for row in interactions.itertuples():
        a, b = (int(u) - 1 for u in row.units.split("+"))
        drop[a, b], interaction[b, a] = row.drop, row.interaction
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, values, cmap, label in ((axes[0], drop, "Reds", "pair drop [%p]"),
                                    (axes[1], interaction, "RdBu_r", "interaction [%p]")):
        limit = np.nanmax(np.abs(values))
        image = ax.imshow(values, cmap=cmap, vmin=0 if cmap == "Reds" else -limit, vmax=limit)
        ax.set_xticks(range(width), range(1, width + 1), fontsize=7)
        ax.set_yticks(range(width), range(1, width + 1), fontsize=7)
        ax.set(xlabel="unit", ylabel="unit")
        figure.colorbar(image, ax=ax, label=label)
    style.title(axes[0], "Accuracy drop of each pair")
    style.title(axes[1], "Pair drop minus sum of single drops (> 0: super-additive)")
    style.suptitle(figure, f"Pairwise ablations in hidden layer 1, network {network}")
    return figure


def class_gains(gains: pd.DataFrame) -> Figure:
    """Per class: how many ablations significantly raise the class's accuracy (McNemar, FDR), per network."""
    counts = gains[gains.significant_gain].groupby(["class", "layer"]).size().unstack(fill_value=0)
    counts = counts.reindex(CLASS_LABELS, fill_value=0) / gains.network.nunique()
    figure, ax = plt.subplots(figsize=(7, 3.5))
    counts.plot.bar(ax=ax, rot=0)
    ax.set(xlabel="class", ylabel="significant gains per network")
    style.title(ax, "Ablations that make a class better (McNemar exact, BH-FDR)")
    return figure


def training_curves(history: pd.DataFrame) -> Figure:
    figure, (loss, accuracy) = plt.subplots(1, 2, figsize=(11, 3.5))
    for _, part in history.groupby("network", sort=False):
        loss.plot(part.epoch, part.train_loss, lw=0.7, alpha=0.6)
        accuracy.plot(part.epoch, part.test_accuracy, lw=0.7, alpha=0.6)
    loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    accuracy.set(xlabel="epoch", ylabel="test accuracy [%]")
    style.suptitle(figure, f"Training of {history.network.nunique()} networks")
    return figure

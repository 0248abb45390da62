"""Every figure of the MNIST study; the plot style lives here and nowhere else.

Each function takes plain tables or arrays and returns a matplotlib Figure; scripts only save it.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy.stats import gaussian_kde  # noqa: E402

CLASS_LABELS = [str(c) for c in range(10)]
ACCURACY, DROP, GAIN, PAIR_ONLY = "0.15", "#d62728", "#2ca02c", "#ff7f0e"
STYLE = {
    "figure.dpi": 110, "savefig.dpi": 110, "savefig.bbox": "tight", "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10,
}
plt.rcParams.update(STYLE)


def save(figure: Figure, path: str, description: str | None = None) -> None:
    """Write the figure, with `description` (the provenance) in the PNG's metadata if given, and free it."""
    figure.savefig(path, metadata={"Description": description} if description is not None else None)
    plt.close(figure)


def _class_series(table: pd.DataFrame, column: str) -> np.ndarray:
    """Values for `all` then classes 0-9, from a frame with a `class` column."""
    indexed = table.set_index("class")[column]
    return indexed.reindex(["all", *CLASS_LABELS]).to_numpy(dtype=float)


def _accuracy_bars(ax: plt.Axes, intact: np.ndarray, ablated: np.ndarray, pair_only: np.ndarray | None = None) -> None:
    """Black: accuracy kept; red: the drop, of it orange the items only the pair loses; green: a gain."""
    x = np.arange(11)
    drop = intact - ablated
    kept = np.minimum(intact, ablated)
    lost = np.clip(drop, 0, None)
    redundant = np.zeros(11) if pair_only is None else np.minimum(np.clip(pair_only, 0, None), lost)
    ax.bar(x, kept, color=ACCURACY, label="accuracy kept")
    ax.bar(x, lost - redundant, bottom=kept, color=DROP, label="drop")
    if pair_only is not None:
        ax.bar(x, redundant, bottom=kept + lost - redundant, color=PAIR_ONLY, label="lost only with the pair")
    ax.bar(x, np.clip(-drop, 0, None), bottom=kept, color=GAIN, label="gain")
    for xi, d in zip(x, drop):
        ax.text(xi, max(intact[xi], ablated[xi]) + 1.5, f"{-d:+.1f}", ha="center", fontsize=7,
                color=GAIN if d < 0 else DROP)
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


def intact_accuracy(table: pd.DataFrame, network: str) -> Figure:
    figure, ax = plt.subplots(figsize=(6, 3))
    values = _class_series(table, "accuracy")
    ax.bar(np.arange(11), values, color=ACCURACY)
    for x, value in enumerate(values):
        ax.text(x, value + 1.5, f"{value:.1f}", ha="center", fontsize=7)
    ax.axhline(values[0], ls="--", lw=0.8, color=ACCURACY)
    ax.set_xticks(np.arange(11), ["all", *CLASS_LABELS])
    ax.set(xlabel="class", ylabel="accuracy [%]", ylim=(0, 110), title=f"Intact network {network}: test accuracy")
    return figure


def tsne_classes(coords: np.ndarray, labels: np.ndarray) -> Figure:
    figure, ax = plt.subplots(figsize=(5.5, 5))
    cmap = plt.get_cmap("tab10")
    for c in range(10):
        chosen = labels == c
        ax.scatter(coords[chosen, 0], coords[chosen, 1], s=1.5, color=cmap(c), rasterized=True)
        ax.annotate(str(c), np.median(coords[chosen], axis=0), fontsize=14, weight="bold", color=cmap(c))
    ax.set(xticks=[], yticks=[], title=f"t-SNE of the {len(labels):,} test digits")
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
                  (pair_only, PAIR_ONLY, "wrong only with the pair")]
    _tsne_overlay(tsne, coords, layers)
    figure.suptitle(title)
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
    figure.suptitle(f"Single-unit ablations of network {network}: class accuracy drop")
    return figure


def weight_images(trained: np.ndarray, pvalues: np.ndarray, network: str) -> Figure:
    """Trained incoming weights of each first-layer unit as a 28x28 image, titled with its Mann-Whitney p."""
    rows = int(np.ceil(len(trained) / 5))
    figure, axes = plt.subplots(rows, 5, figsize=(10, 2.2 * rows))
    limit = float(np.abs(trained).max())
    for unit, ax in enumerate(axes.flat):
        ax.axis("off")
        if unit < len(trained):
            image = ax.imshow(trained[unit].reshape(28, 28), cmap="seismic", vmin=-limit, vmax=limit)
            ax.set_title(f"unit {unit + 1}: p={pvalues[unit]:.1e}", fontsize=8)
    figure.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label="weight")
    figure.suptitle(f"Incoming weights of hidden layer 1 after training, network {network}")
    return figure


def _correlation_label(summary: pd.DataFrame) -> str:
    parts = []
    for row in summary.itertuples():
        symbol = "r" if row.method == "pearson" else "ρ"
        parts.append(f"{symbol} = {row.coefficient:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}], p = {row.p:.1e}")
    return "\n".join(parts)


def weight_change_scatter(points: pd.DataFrame, summary: pd.DataFrame, title: str) -> Figure:
    """Mann-Whitney p of trained vs initial weights (log, reversed) against the unit's accuracy drop."""
    figure, ax = plt.subplots(figsize=(5.5, 4))
    ax.scatter(points.p.clip(lower=1e-300), points["drop"], s=14, color=DROP, alpha=0.7)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set(xlabel="Mann-Whitney U test p-value (trained vs initial weights)", ylabel="accuracy drop [%p]", title=title)
    ax.text(0.02, 0.98, _correlation_label(summary), transform=ax.transAxes, va="top", fontsize=8)
    return figure


def coefficient_kde(per_network: pd.DataFrame, summary: pd.DataFrame, points: pd.DataFrame) -> Figure:
    """All networks: pooled scatter and the distribution (Gaussian KDE) of the per-network coefficients."""
    figure, (scatter, kde) = plt.subplots(1, 2, figsize=(11, 4))
    scatter.scatter(points.p.clip(lower=1e-300), points["drop"], s=6, color=DROP, alpha=0.4)
    scatter.set_xscale("log")
    scatter.invert_xaxis()
    scatter.set(xlabel="Mann-Whitney U test p-value", ylabel="accuracy drop [%p]",
                title=f"{points.network.nunique()} networks pooled")
    scatter.text(0.02, 0.98, _correlation_label(summary), transform=scatter.transAxes, va="top", fontsize=8)
    grid = np.linspace(-1, 1, 400)
    for method, color in (("pearson", "C0"), ("spearman", "C1")):
        values = per_network[method].dropna().to_numpy()
        if len(values) > 1 and np.ptp(values) > 0:
            kde.plot(grid, gaussian_kde(values)(grid), color=color, label=method)
        kde.plot(values, np.zeros_like(values), "|", color=color, markersize=12)
    kde.set(xlabel="correlation coefficient per network", ylabel="density", title="Per-network coefficients (KDE)")
    kde.legend(frameon=False)
    return figure


def class_selectivity(selectivity: pd.DataFrame) -> Figure:
    figure, ax = plt.subplots(figsize=(7, 3.5))
    layers = list(selectivity.layer.unique())
    width = 0.8 / len(layers)
    for i, (layer, part) in enumerate(selectivity.groupby("layer", sort=False)):
        part = part.set_index("class").reindex(CLASS_LABELS)
        ax.bar(np.arange(10) + i * width, part.selectivity, width, yerr=part.across_networks_sd.fillna(0),
               label=layer, capsize=2)
    ax.set_xticks(np.arange(10) + width * (len(layers) - 1) / 2, CLASS_LABELS)
    ax.set(xlabel="class", ylabel="std of class drop across units [%p]",
           title="Class selectivity, mean over networks (error bar: sd over networks)")
    ax.legend(frameon=False)
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
    axes[0].set_title("Accuracy drop of each pair")
    axes[1].set_title("Pair drop minus sum of single drops (> 0: super-additive)")
    figure.suptitle(f"Pairwise ablations in hidden layer 1, network {network}")
    return figure


def class_gains(gains: pd.DataFrame) -> Figure:
    """Per class: how many ablations significantly raise the class's accuracy (McNemar, FDR), per network."""
    counts = gains[gains.significant_gain].groupby(["class", "layer"]).size().unstack(fill_value=0)
    counts = counts.reindex(CLASS_LABELS, fill_value=0) / gains.network.nunique()
    figure, ax = plt.subplots(figsize=(7, 3.5))
    counts.plot.bar(ax=ax, rot=0)
    ax.set(xlabel="class", ylabel="significant gains per network",
           title="Ablations that make a class better (McNemar exact, BH-FDR)")
    return figure


def training_curves(history: pd.DataFrame) -> Figure:
    figure, (loss, accuracy) = plt.subplots(1, 2, figsize=(11, 3.5))
    for _, part in history.groupby("network", sort=False):
        loss.plot(part.epoch, part.train_loss, lw=0.7, alpha=0.6)
        accuracy.plot(part.epoch, part.test_accuracy, lw=0.7, alpha=0.6)
    loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    accuracy.set(xlabel="epoch", ylabel="test accuracy [%]")
    figure.suptitle(f"Training of {history.network.nunique()} networks")
    return figure

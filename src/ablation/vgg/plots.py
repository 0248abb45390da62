"""Every figure of the VGG19-BN study (filter-group ablations on ImageNet and recovery training).

Each function takes the study's plain tables and returns a matplotlib Figure; the MNIST study's `plots` module
supplies the style (rcParams, Agg backend) and the colours. Drops are intact minus ablated accuracy, in
percentage points (> 0: worse); a condition's several filter groups are summarised by their mean, with
min-max error bars.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ablation.core.style import ACCURACY, DROP, GAIN, plt
from ablation.vgg.statistics import (
    ALL,
    by_semantics,
    group_means,
    grouping_order,
    layer_order,
    most_important_layers,
    overall_means,
)

FOCUS = "similarity"  # the grouping of the paper's main figures
PAPER_RATIOS = (0.1, 0.25)  # the ratios of the paper's Figs. 14, 15 and 18
GROUPING_COLOURS = {"similarity": "C0", "random": "0.55", "l1": "C1"}
OTHER_GROUPING_STYLES = ("--", ":", "-.")
MEASURE_LABELS = {"top1": "top-1", "top5": "top-5"}
RATIO_CMAP, DEPTH_CMAP = "YlOrRd", "viridis"
NAMED_CLASSES = 30  # up to this many classes, every class gets a tick label
EXTREMES = 5  # most hurt and most helped classes named in class_drops


def _percent(fraction: float) -> str:
    return f"{100 * fraction:g} %"


def _ratio_colours(ratios: list[float]) -> dict[float, tuple]:
    """A sequential colour per ratio, darker for larger ratios."""
    cmap = plt.get_cmap(RATIO_CMAP)
    return {ratio: cmap(level) for ratio, level in zip(ratios, np.linspace(0.35, 0.95, len(ratios)))}


def _grouping_colour(grouping: str) -> str:
    return GROUPING_COLOURS.get(grouping, "C4")


def _offsets(count: int, width: float = 0.7) -> np.ndarray:
    """Horizontal offsets that place `count` series side by side around each integer x."""
    return (np.arange(count) - (count - 1) / 2) * width / max(count, 1)


def _layer_axis(ax: plt.Axes, layers: list[str]) -> None:
    ax.set_xticks(range(len(layers)), layers, rotation=45, ha="right")
    ax.set_xlabel("ablated layer (network order)")


def _spread_markers(ax: plt.Axes, x: np.ndarray, means: pd.DataFrame, measure: str, **style) -> None:
    """Mean drop over the groups as markers, with min-max error bars."""
    mean = means[f"{measure}_drop_mean"].to_numpy()
    spread = [mean - means[f"{measure}_drop_min"].to_numpy(), means[f"{measure}_drop_max"].to_numpy() - mean]
    ax.errorbar(x, mean, yerr=spread, fmt="o", markersize=4, capsize=2, lw=0.9, **style)


def _by_layer(part: pd.DataFrame, layers: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Positions of the part's layers on a network-order axis, and the part in that order."""
    position = {layer: i for i, layer in enumerate(layers)}
    part = part.sort_values("layer", key=lambda s: s.map(position))
    return part.layer.map(position).to_numpy(dtype=float), part


def _at_largest_ratio(table: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """The focus grouping's group means, every class, at its largest ratio."""
    means = group_means(table)
    means = means[means.grouping == FOCUS]
    if means.empty:
        raise ValueError(f"no '{FOCUS}' ablations in the table")
    ratio = float(means.ratio.max())
    return means[means.ratio == ratio], ratio


def _class_name(label: str, class_names: list[str]) -> str:
    index = int(label)
    return class_names[index] if index < len(class_names) else label


def paper_ratios(ratios: Iterable[float]) -> list[float]:
    """The ratios of the paper's Figs. 14, 15 and 18 (10 % and 25 %), or the two largest swept if either is missing."""
    available = sorted(set(ratios))
    return list(PAPER_RATIOS) if set(PAPER_RATIOS) <= set(available) else available[-2:]


def layer_drops(table: pd.DataFrame, measure: str) -> Figure:
    """Figs. 14 (top-5) and 15 (top-1): the drop per layer at 10 % and 25 % (similarity groups: mean, min-max)."""
    overall = overall_means(table, FOCUS)
    layers, ratios = layer_order(overall.layer), paper_ratios(overall.ratio)
    colours, offsets = _ratio_colours(ratios), _offsets(len(ratios))
    figure, ax = plt.subplots(figsize=(max(7, 0.55 * len(layers) + 2), 3.8))
    for ratio, offset in zip(ratios, offsets):
        x, part = _by_layer(overall[overall.ratio == ratio], layers)
        _spread_markers(ax, x + offset, part, measure, color=colours[ratio], label=_percent(ratio))
    ax.axhline(0, lw=0.6, color=ACCURACY)
    ax.set(ylabel=f"{MEASURE_LABELS[measure]} drop [%p]")
    ax.legend(title="filters ablated", frameon=False, fontsize=7, ncol=len(ratios))
    _layer_axis(ax, layers)
    ax.set_title(f"{MEASURE_LABELS[measure]} accuracy drop per layer (groups of similar filters: mean, bars min-max)")
    return figure


def ratio_curves(table: pd.DataFrame) -> Figure:
    """Top-5 drop against the ablated fraction, one line per layer coloured by its depth (similarity grouping)."""
    overall = overall_means(table, FOCUS)
    layers = layer_order(overall.layer)
    cmap = plt.get_cmap(DEPTH_CMAP)
    norm = BoundaryNorm(np.arange(len(layers) + 1) - 0.5, cmap.N)
    figure, ax = plt.subplots(figsize=(6.5, 4.2))
    for depth, layer in enumerate(layers):
        part = overall[overall.layer == layer].sort_values("ratio")
        ax.plot(100 * part.ratio, part.top5_drop_mean, "o-", markersize=3, lw=1, color=cmap(norm(depth)))
    ratios = sorted(overall.ratio.unique())
    ax.set_xticks([100 * r for r in ratios], [_percent(r) for r in ratios])
    ax.axhline(0, lw=0.6, color=ACCURACY)
    ax.set(xlabel="filters ablated in the layer", ylabel="top-5 drop [%p]",
           title="Top-5 drop against the ablated fraction (similarity grouping, mean over groups)")
    colorbar = figure.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label="ablated layer")
    colorbar.set_ticks(range(len(layers)), labels=layers)
    colorbar.ax.tick_params(labelsize=7)
    return figure


def grouping_comparison(table: pd.DataFrame) -> Figure:
    """Top-5 drop per layer of each way of choosing the filters, one panel per ratio (mean, min-max bars)."""
    overall = overall_means(table)
    layers, ratios = layer_order(overall.layer), sorted(overall.ratio.unique())
    groupings = grouping_order(overall.grouping)
    offsets = _offsets(len(groupings))
    figure, axes = plt.subplots(len(ratios), 1, figsize=(max(7, 0.55 * len(layers) + 2), 2.6 * len(ratios) + 0.8),
                                sharex=True, squeeze=False)
    for ax, ratio in zip(axes[:, 0], ratios):
        for grouping, offset in zip(groupings, offsets):
            x, part = _by_layer(overall[(overall.ratio == ratio) & (overall.grouping == grouping)], layers)
            _spread_markers(ax, x + offset, part, "top5", color=_grouping_colour(grouping), label=grouping)
        ax.axhline(0, lw=0.6, color=ACCURACY)
        ax.set(ylabel="top-5 drop [%p]", title=f"{_percent(ratio)} of the layer's filters ablated")
    axes[0, 0].legend(title="filters chosen by", frameon=False, fontsize=7, ncol=len(groupings))
    _layer_axis(axes[-1, 0], layers)
    figure.suptitle("Similar vs random vs smallest-L1 filter groups (mean over groups, bars: min-max)")
    return figure


def class_drop_heatmap(table: pd.DataFrame, class_names: list[str]) -> Figure:
    """Layers x classes: top-5 drop of each class at the largest ratio (similarity grouping, mean over groups)."""
    means, ratio = _at_largest_ratio(table)
    per_class = means[means["class"] != ALL]
    matrix = per_class.pivot(index="layer", columns="class", values="top5_drop_mean")
    matrix = matrix.reindex(index=layer_order(matrix.index), columns=sorted(matrix.columns, key=int))
    classes = len(matrix.columns)
    limit = max(float(np.nanmax(np.abs(matrix.to_numpy()))), 1e-9)
    width = 10 if classes > NAMED_CLASSES else max(6, 0.35 * classes + 3)
    figure, ax = plt.subplots(figsize=(width, 0.3 * len(matrix) + 2))
    image = ax.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto",
                      interpolation="nearest" if classes <= NAMED_CLASSES else "antialiased")
    ax.set_yticks(range(len(matrix)), matrix.index)
    if classes <= NAMED_CLASSES:
        ax.set_xticks(range(classes), [_class_name(c, class_names) for c in matrix.columns], rotation=60, ha="right")
        ax.set_xlabel("class")
    else:
        ax.set_xlabel(f"class index (all {classes} classes)")
    ax.set_ylabel("ablated layer")
    figure.colorbar(image, ax=ax, label="top-5 drop [%p] (red: worse, blue: better)")
    ax.set_title(f"Class top-5 drop after ablating {_percent(ratio)} of a layer's filters "
                 f"(similarity grouping, mean over groups)")
    return figure


def class_drops(table: pd.DataFrame, layer: str, class_names: list[str], changes: pd.DataFrame | None = None) -> Figure:
    """Figs. 16, 17: one layer at the largest ratio: every class's top-5 drop (mean over the similarity groups),
    sorted, and the most hurt and helped by name. With `changes` (`vgg_statistics.class_changes`): whiskers from
    the lowest to the highest bound of the groups' 95 % intervals, and the classes that improve significantly."""
    means, ratio = _at_largest_ratio(table)
    rows = means[means.layer == layer]
    if rows.empty:
        raise ValueError(f"no '{FOCUS}' ablations of layer {layer!r} at ratio {ratio}; "
                         f"layers: {layer_order(means.layer)}")
    reference = float(rows.loc[rows["class"] == ALL, "top5_drop_mean"].iloc[0])
    ranked = rows[rows["class"] != ALL].sort_values("top5_drop_mean", ascending=False, kind="stable")
    values = ranked.top5_drop_mean.to_numpy()
    names = [_class_name(c, class_names) for c in ranked["class"]]
    colours = np.where(values > 0, DROP, GAIN)
    figure, (ranking, extremes) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    x = np.arange(len(values))
    ranking.bar(x, values, width=1.0 if len(values) > NAMED_CLASSES else 0.8, color=colours)
    improved = ""
    if changes is not None:
        chosen = changes[(changes.layer == layer) & (changes.grouping == FOCUS) & (changes.ratio == ratio)]
        bounds = chosen.groupby("class").agg(low=("ci_low", "min"), high=("ci_high", "max"),
                                             gain=("significant_gain", "any")).reindex(ranked["class"])
        ranking.errorbar(x, values, yerr=[values - bounds.low.to_numpy(), bounds.high.to_numpy() - values], fmt="none",
                         ecolor="0.4", lw=0.6 if len(values) > NAMED_CLASSES else 0.9, capsize=0)
        better = np.flatnonzero(bounds.gain.to_numpy(dtype=bool))
        ranking.plot(x[better], bounds.low.to_numpy()[better] - 1, "^", color=GAIN, markersize=4,
                     label=f"improves significantly ({len(better)})")
        improved = f"; {len(better)} of {len(values)} classes improve significantly in a group (McNemar, FDR)"
    if len(values) <= NAMED_CLASSES:
        ranking.set_xticks(range(len(values)), names, rotation=60, ha="right")
    ranking.set(xlabel="classes, most hurt to most helped", ylabel="top-5 drop [%p]",
                title=f"All {len(values)} classes")
    chosen_rows = np.r_[0:min(EXTREMES, len(values)), max(EXTREMES, len(values) - EXTREMES):len(values)]
    y = np.arange(len(chosen_rows))
    extremes.barh(y, values[chosen_rows], color=colours[chosen_rows])
    extremes.set_yticks(y, [names[i] for i in chosen_rows], fontsize=7)
    if len(values) > 2 * EXTREMES:
        extremes.axhline(EXTREMES - 0.5, lw=0.6, color="0.7")
    extremes.invert_yaxis()
    extremes.set(xlabel="top-5 drop [%p]", title=f"The {EXTREMES} most hurt and {EXTREMES} most helped classes")
    for _ax, line in ((ranking, ranking.axhline), (extremes, extremes.axvline)):
        line(reference, ls="--", lw=0.8, color=ACCURACY, label=f"all classes: {reference:+.1f} %p")
        line(0, lw=0.6, color=ACCURACY)
    ranking.legend(frameon=False, fontsize=7)
    figure.suptitle(f"{layer}: class top-5 drop after ablating {_percent(ratio)} of its filters "
                    f"(similarity grouping, mean over {int(rows.groups.max())} groups){improved}")
    return figure


def class_lines(table: pd.DataFrame, classes: list[str], class_names: list[str]) -> Figure:
    """Fig. 18 (a, b): the top-5 drop of chosen classes across the layers, at 10 % (a) and 25 % (b) (similarity
    groups, mean): where lines cross, the layers' relative importance depends on the class."""
    means = group_means(table)
    means = means[(means.grouping == FOCUS) & means["class"].isin(classes)]
    layers, ratios = layer_order(means.layer), paper_ratios(means.ratio)
    figure, axes = plt.subplots(1, len(ratios), figsize=(6 * len(ratios), 4), sharey=True, squeeze=False)
    colours = plt.get_cmap("tab10")
    for ax, ratio, letter in zip(axes[0], ratios, "ab"):
        for i, label in enumerate(classes):
            x, part = _by_layer(means[(means.ratio == ratio) & (means["class"] == label)], layers)
            ax.plot(x, part.top5_drop_mean, "o-", markersize=3, lw=1.2, color=colours(i % 10),
                    label=_class_name(label, class_names))
        ax.axhline(0, lw=0.6, color=ACCURACY)
        ax.set(ylabel="top-5 drop [%p]", title=f"({letter}) {_percent(ratio)} of a layer's filters ablated")
        _layer_axis(ax, layers)
    axes[0, -1].legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.suptitle("Top-5 drop of single classes across the layers (similarity groups, mean over groups)")
    return figure


def semantics_comparison(table: pd.DataFrame) -> Figure:
    """The top-5 drop per layer under each ablation semantics (similarity groups at the largest ratio), and the
    two most important layers each picks."""
    parts = list(by_semantics(table))
    figure, ax = plt.subplots(figsize=(max(7, 0.55 * len(layer_order(table.layer)) + 2), 4))
    offsets = _offsets(len(parts))
    picks = []
    for (name, part), offset, colour in zip(parts, offsets, ("C3", "C0", "C2")):
        overall = overall_means(part, FOCUS)
        overall = overall[overall.ratio == overall.ratio.max()]
        layers = layer_order(overall.layer)
        x, rows = _by_layer(overall, layers)
        _spread_markers(ax, x + offset, rows, "top5", color=colour, label=name)
        picks.append(f"{name}: {', '.join(most_important_layers(part.assign(semantics=name)))}")
    ax.axhline(0, lw=0.6, color=ACCURACY)
    ax.set(ylabel="top-5 drop [%p]")
    ax.legend(title="semantics", frameon=False, fontsize=7)
    _layer_axis(ax, layer_order(table.layer))
    ax.set_title("Top-5 drop per layer under each ablation semantics (similarity groups, largest ratio)\n"
                 "most important layers: " + "; ".join(picks), fontsize=9)
    return figure


def _grouping_styles(groupings: list[str]) -> dict[str, dict]:
    """Solid lines for the focus grouping, faint dashed or dotted ones drawn below them for the others."""
    others = [g for g in groupings if g != FOCUS]
    styles = {g: {"ls": OTHER_GROUPING_STYLES[i % len(OTHER_GROUPING_STYLES)], "alpha": 0.45, "lw": 0.9}
              for i, g in enumerate(others)}
    return {FOCUS: {"ls": "-", "lw": 1.4, "zorder": 3}, **styles}


def class_selectivity(selectivity: pd.DataFrame) -> Figure:
    """Class selectivity (sd across classes of the class top-5 drop) per layer, one line per ratio."""
    layers, ratios = layer_order(selectivity.layer), sorted(selectivity.ratio.unique())
    colours = _ratio_colours(ratios)
    present = grouping_order(selectivity.grouping)
    styles = _grouping_styles(present)
    figure, ax = plt.subplots(figsize=(max(7, 0.55 * len(layers) + 2), 4))
    for (grouping, ratio), part in selectivity.groupby(["grouping", "ratio"], sort=False):
        x, part = _by_layer(part, layers)
        ax.plot(x, part.selectivity, marker="o", markersize=3, color=colours[ratio], **styles[grouping])
    ratio_legend = ax.legend([Line2D([], [], color=colours[r], marker="o") for r in ratios],
                             [_percent(r) for r in ratios], title="filters ablated", frameon=False, fontsize=7,
                             loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.add_artist(ratio_legend)
    ax.legend([Line2D([], [], color=ACCURACY, **styles[g]) for g in present], present, title="filters chosen by",
              frameon=False, fontsize=7, loc="lower left", bbox_to_anchor=(1.01, 0))
    _layer_axis(ax, layers)
    ax.set(ylabel="sd across classes of the top-5 drop [%p]",
           title="Class selectivity of each layer's filter groups (mean over groups first)")
    return figure


def recovery_passes(recovery: pd.DataFrame, layer: str) -> Figure:
    """Figs. 19, 20 (experiment 1): one layer's top-5 per epoch, one line per pass; (b) from epoch 1 on."""
    part = recovery[recovery.layer == layer]
    intact = float(part[part["pass"] == 0].top5.iloc[0])
    passes = part[part["pass"] > 0]
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    colours = plt.get_cmap("tab10")
    for ax, first_epoch, letter in zip(axes, (0, 1), "ab"):
        for p, rows in passes.groupby("pass"):
            rows = rows[rows.epoch >= first_epoch].sort_values("epoch")
            ax.plot(rows.epoch, rows.top5, "o-", markersize=3, lw=1, color=colours((p - 1) % 10), label=f"pass {p}")
        ax.axhline(intact, ls="--", lw=0.9, color=ACCURACY, label="intact")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="retraining epoch (0: just after the ablation)", ylabel="top-5 accuracy [%]",
               title=f"({letter}) from epoch {first_epoch}")
    axes[0].legend(frameon=False, fontsize=7)
    first = passes.iloc[0]
    figure.suptitle(f"Recovery experiment 1, {layer}: each pass ablates a fresh random {first.ablated_filters} of "
                    f"{first.layer_filters} filters of the intact network and retrains")
    return figure


def _cumulative_epochs(part: pd.DataFrame) -> pd.DataFrame:
    """One layer's rows in training order with `position`: epochs trained in all passes before plus this epoch."""
    part = part.sort_values(["pass", "epoch"])
    trained = part[part["pass"] > 0].groupby("pass").epoch.max()
    start = trained.cumsum().shift(fill_value=0)
    return part.assign(position=part.epoch + part["pass"].map(start).fillna(0))


def recovery_iterations(recovery: pd.DataFrame, layer: str) -> Figure:
    """Figs. 21, 22 (experiment 2): one layer's top-5 after every epoch of every iteration, end to end, each
    iteration labelled with the share of the layer's filters ablated so far."""
    part = _cumulative_epochs(recovery[recovery.layer == layer])
    intact = float(part[part["pass"] == 0].top5.iloc[0])
    figure, ax = plt.subplots(figsize=(11, 3.8))
    colours = plt.get_cmap("viridis")
    iterations = sorted(part.loc[part["pass"] > 0, "pass"].unique())
    for i, p in enumerate(iterations):
        rows = part[part["pass"] == p]
        share = rows.ablated_filters.iloc[0] / rows.layer_filters.iloc[0]
        ax.plot(rows.position, rows.top5, "o-", markersize=2.5, lw=1, color=colours(i / max(len(iterations) - 1, 1)),
                label=f"iteration {p}: {_percent(round(share, 4))} ablated")
        ax.axvline(rows.position.iloc[0], lw=0.7, ls=":", color=ACCURACY)
    ax.axhline(intact, ls="--", lw=0.9, color=ACCURACY, label="intact")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="cumulative retraining epochs (dotted: a new ablation)", ylabel="top-5 accuracy [%]")
    ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.suptitle(f"Recovery experiment 2, {layer}: each iteration draws a random 25 % of all the layer's filters "
                    "(already ablated ones included), ablates them too and retrains")
    return figure


def shapley_groups(values: pd.DataFrame) -> Figure:
    """Per layer: each filter group's sampled Shapley value for top-5 (bars, +-1.96 standard errors) and top-1
    (dots), beside its single-group ablation drop (crosses); groups ordered by their top-5 value."""
    layers = layer_order(values.layer.unique())
    figure, axes = plt.subplots(1, len(layers), figsize=(5.6 * len(layers), 4.2), squeeze=False)
    for ax, layer in zip(axes[0], layers):
        part = values[values.layer == layer]
        top5, top1 = (part[part.metric == metric].set_index("group") for metric in ("top5", "top1"))
        order = top5.value.sort_values(ascending=False).index
        x = np.arange(len(order))
        ax.bar(x, top5.value[order], yerr=1.96 * top5.standard_error[order], color=ACCURACY, capsize=2,
               label="Shapley value, top-5 (95 % interval)")
        ax.plot(x, top1.value[order], "o", color=GAIN, ms=4, label="Shapley value, top-1")
        ax.plot(x, top5.single_drop[order], "x", color=DROP, ms=5, label="single-group drop, top-5")
        ax.axhline(0, lw=0.6, color="0.5")
        ax.set_xticks(x, order, fontsize=7)
        ax.set_xlabel("filter group (similarity partition)")
        ax.set_ylabel("accuracy [%p]")
        total = top5.value.sum()
        ax.set_title(f"{layer} ({part.semantics.iloc[0]}): {len(order)} groups, {int(part.permutations.iloc[0])} "
                     f"orders;\nvalues add up to {total:.1f} %p (intact minus all groups ablated)", fontsize=8)
    axes[0][0].legend(fontsize=7, frameon=False)
    return figure

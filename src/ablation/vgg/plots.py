"""Every figure of the VGG19-BN study (filter-group ablations and recovery training, on ImageNet or the embedded
default's digits).

Each function takes the study's plain tables and returns a matplotlib Figure; `ablation.core.style` supplies the
style (rcParams, Agg backend), the colours and titles wrapped to fit. Drops are intact minus ablated accuracy, in
percentage points (> 0: worse); a condition's several filter groups are summarised by their mean, with min-max error
bars. `metric` is the study's leading one (`ablation.vgg.metric`: top-5 on ImageNet, top-1 on the digits); only
Figs. 14 and 15 choose theirs (top-5, top-1: the paper's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ablation.core.semantics_plots import agreement_line, drops_against_reference
from ablation.core.shapley import EXACT
from ablation.core.style import ACCURACY, DROP, GAIN, plt, suptitle, title
from ablation.vgg.metric import LABELS, METRICS
from ablation.vgg.registry import EXTREMES, paper_ratios
from ablation.vgg.registry import percent as _percent
from ablation.vgg.statistics import (
    ALL,
    NULL_BAND,
    by_semantics,
    drops,
    group_means,
    grouping_order,
    layer_order,
    most_important_layers,
    null_bands,
    overall_means,
)

FOCUS = "similarity"  # the grouping of the paper's main figures
GROUPING_COLOURS = {"similarity": "C0", "random": "0.55", "l1": "C1"}
SEMANTICS_COLOURS = ("C3", "C0", "C2", "C4")  # one per semantics swept, in the config's order
OTHER_GROUPING_STYLES = ("--", ":", "-.")
RATIO_CMAP, DEPTH_CMAP = "YlOrRd", "viridis"
NAMED_CLASSES = 30  # up to this many classes, every class gets a tick label


def _drop_label(metric: str) -> str:
    return f"{LABELS[metric]} drop [%p]"


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
    ax.set_xticks(range(len(layers)), layers, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlabel("ablated layer (network order)")


def _layers_width(layers: list[str]) -> float:
    return max(7, 0.55 * len(layers) + 2)


def _spread_markers(ax: plt.Axes, x: np.ndarray, means: pd.DataFrame, metric: str, **style) -> None:
    """Mean drop over the groups as markers, with min-max error bars."""
    mean = means[f"{metric}_drop_mean"].to_numpy()
    spread = [mean - means[f"{metric}_drop_min"].to_numpy(), means[f"{metric}_drop_max"].to_numpy() - mean]
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


def _drop_or_gain(value: float) -> str:
    """A change in words, without a sign to misread: 'drop 2.8 %p', 'gain 1.0 %p'."""
    return f"{'gain' if value < 0 else 'drop'} {abs(value):.1f} %p"


def layer_drops(table: pd.DataFrame, measure: str) -> Figure:
    """Figs. 14 (top-5) and 15 (top-1): the drop per layer at 10 % and 25 % (similarity groups: mean, min-max)."""
    overall = overall_means(table, FOCUS)
    layers, ratios = layer_order(overall.layer), paper_ratios(overall.ratio)
    colours, offsets = _ratio_colours(ratios), _offsets(len(ratios))
    figure, ax = plt.subplots(figsize=(_layers_width(layers), 3.8))
    for ratio, offset in zip(ratios, offsets):
        x, part = _by_layer(overall[overall.ratio == ratio], layers)
        _spread_markers(ax, x + offset, part, measure, color=colours[ratio], label=_percent(ratio))
    ax.axhline(0, lw=0.6, color=ACCURACY)
    ax.set(ylabel=_drop_label(measure))
    ax.legend(title="filters ablated", frameon=False, fontsize=7, ncol=len(ratios))
    _layer_axis(ax, layers)
    title(ax, f"{LABELS[measure].capitalize()} accuracy drop per layer (groups of similar filters: mean, bars min-max)")
    return figure


def ratio_curves(table: pd.DataFrame, metric: str) -> Figure:
    """The drop of `metric` against the ablated fraction, one line per layer coloured by its depth (similarity
    grouping)."""
    overall = overall_means(table, FOCUS)
    layers = layer_order(overall.layer)
    cmap = plt.get_cmap(DEPTH_CMAP)
    norm = BoundaryNorm(np.arange(len(layers) + 1) - 0.5, cmap.N)
    figure, ax = plt.subplots(figsize=(6.5, 4.2))
    for depth, layer in enumerate(layers):
        part = overall[overall.layer == layer].sort_values("ratio")
        ax.plot(100 * part.ratio, part[f"{metric}_drop_mean"], "o-", markersize=3, lw=1, color=cmap(norm(depth)))
    ratios = sorted(overall.ratio.unique())
    ax.set_xticks([100 * r for r in ratios], [_percent(r) for r in ratios])
    ax.axhline(0, lw=0.6, color=ACCURACY)
    ax.set(xlabel="filters ablated in the layer", ylabel=_drop_label(metric))
    colorbar = figure.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label="ablated layer")
    colorbar.set_ticks(range(len(layers)), labels=layers)
    colorbar.ax.tick_params(labelsize=7)
    title(ax, f"{LABELS[metric].capitalize()} drop against the ablated fraction (similarity grouping, mean over "
              "groups)")
    return figure


def grouping_comparison(table: pd.DataFrame, metric: str) -> Figure:
    """The drop of `metric` per layer of each way of choosing the filters, one panel per ratio (mean, min-max
    bars)."""
    overall = overall_means(table)
    layers, ratios = layer_order(overall.layer), sorted(overall.ratio.unique())
    groupings = grouping_order(overall.grouping)
    offsets = _offsets(len(groupings))
    figure, axes = plt.subplots(len(ratios), 1, figsize=(_layers_width(layers), 2.6 * len(ratios) + 0.8),
                                sharex=True, squeeze=False)
    for ax, ratio in zip(axes[:, 0], ratios):
        for grouping, offset in zip(groupings, offsets):
            x, part = _by_layer(overall[(overall.ratio == ratio) & (overall.grouping == grouping)], layers)
            _spread_markers(ax, x + offset, part, metric, color=_grouping_colour(grouping), label=grouping)
        ax.axhline(0, lw=0.6, color=ACCURACY)
        ax.set(ylabel=_drop_label(metric), title=f"{_percent(ratio)} of the layer's filters ablated")
    axes[0, 0].legend(title="filters chosen by", frameon=False, fontsize=7, ncol=len(groupings))
    _layer_axis(axes[-1, 0], layers)
    figure.tight_layout()
    suptitle(figure, f"{LABELS[metric].capitalize()} drop of similar vs random vs smallest-L1 filter groups (mean "
                     "over groups, bars: min-max)")
    return figure


def class_drop_heatmap(table: pd.DataFrame, class_names: list[str], metric: str) -> Figure:
    """Layers x classes: the drop of `metric` of each class at the largest ratio (similarity grouping, mean over
    groups)."""
    means, ratio = _at_largest_ratio(table)
    per_class = means[means["class"] != ALL]
    matrix = per_class.pivot(index="layer", columns="class", values=f"{metric}_drop_mean")
    matrix = matrix.reindex(index=layer_order(matrix.index), columns=sorted(matrix.columns, key=int))
    classes = len(matrix.columns)
    limit = max(float(np.nanmax(np.abs(matrix.to_numpy()))), 1e-9)
    width = 10 if classes > NAMED_CLASSES else max(6, 0.35 * classes + 3)
    figure, ax = plt.subplots(figsize=(width, 0.3 * len(matrix) + 2))
    image = ax.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto",
                      interpolation="nearest" if classes <= NAMED_CLASSES else "antialiased")
    ax.set_yticks(range(len(matrix)), matrix.index)
    if classes <= NAMED_CLASSES:
        ax.set_xticks(range(classes), [_class_name(c, class_names) for c in matrix.columns], rotation=60, ha="right",
                      rotation_mode="anchor")
        ax.set_xlabel("class")
    else:
        ax.set_xlabel(f"class index (all {classes} classes)")
    ax.set_ylabel("ablated layer")
    figure.colorbar(image, ax=ax, label=f"{_drop_label(metric)}\n(red: worse, blue: better)")
    title(ax, f"Class {LABELS[metric]} drop after ablating {_percent(ratio)} of a layer's filters (similarity "
              "grouping, mean over groups)")
    return figure


def _improving(changes: pd.DataFrame, layer: str, ratio: float, classes: pd.Series) -> tuple[np.ndarray, str]:
    """Which of `classes` improve significantly in a group of the layer at the ratio, and a sentence saying how many
    (or that no class test here can reach significance at all)."""
    chosen = changes[(changes.layer == layer) & (changes.grouping == FOCUS) & (changes.ratio == ratio)]
    per_class = chosen.groupby("class").agg(gain=("significant_gain", "any"), testable=("gain_testable", "any"))
    per_class = per_class.reindex(classes, fill_value=False)
    better = per_class.gain.to_numpy(dtype=bool)
    testable = int(per_class.testable.sum())
    if testable == 0:
        return better, (f"no class test can show a gain here (McNemar, FDR): too few {LABELS[chosen.metric.iloc[0]]} "
                        "misses per class" if len(chosen) else "")
    return better, (f"{int(better.sum())} of {len(classes)} classes improve significantly in a group (McNemar, FDR; "
                    f"{testable} could)")


def class_drops(table: pd.DataFrame, layer: str, class_names: list[str], metric: str,
                changes: pd.DataFrame | None = None) -> Figure:
    """Figs. 16, 17: one layer at the largest ratio: every class's drop of `metric`, the mean over the similarity
    groups, sorted, with whiskers from the lowest to the highest group. With more than 2 x EXTREMES classes a
    second panel names the most hurt classes and the most helped ones (those whose drop is negative). With
    `changes` (`vgg_statistics.class_changes` of `metric`): the classes that improve significantly in a group."""
    means, ratio = _at_largest_ratio(table)
    rows = means[means.layer == layer]
    if rows.empty:
        raise ValueError(f"no '{FOCUS}' ablations of layer {layer!r} at ratio {ratio}; "
                         f"layers: {layer_order(means.layer)}")
    column = f"{metric}_drop"
    reference = float(rows.loc[rows["class"] == ALL, f"{column}_mean"].iloc[0])
    ranked = rows[rows["class"] != ALL].sort_values(f"{column}_mean", ascending=False, kind="stable")
    values = ranked[f"{column}_mean"].to_numpy()
    low, high = ranked[f"{column}_min"].to_numpy(), ranked[f"{column}_max"].to_numpy()
    names = [_class_name(c, class_names) for c in ranked["class"]]
    colours = np.where(values > 0, DROP, GAIN)
    many = len(values) > NAMED_CLASSES
    with_extremes = len(values) > 2 * EXTREMES
    if with_extremes:
        figure, (ranking, extremes) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    else:
        figure, ranking = plt.subplots(figsize=(max(6.0, 0.5 * len(values) + 3), 4.2))
    x = np.arange(len(values))
    ranking.bar(x, values, width=1.0 if many else 0.8, color=colours)
    # Many classes: faint whiskers, a band that shows the spread without hiding the bars.
    ranking.errorbar(x, values, yerr=[values - low, high - values], fmt="none", ecolor="0.35",
                     lw=0.5 if many else 0.9, alpha=0.35 if many else 1.0, capsize=0 if many else 2)
    improved = ""
    if changes is not None:
        better, improved = _improving(changes, layer, ratio, ranked["class"])
        if better.any():
            ranking.plot(x[better], low[better] - 0.04 * max(np.ptp(np.r_[low, high]), 1e-9), "^", color=GAIN,
                         markersize=5, label=f"improves significantly in a group ({int(better.sum())})")
    if not many:
        slanted = len(values) > 12
        ranking.set_xticks(x, names, rotation=60 if slanted else 0, ha="right" if slanted else "center",
                           rotation_mode="anchor")
    ranking.set(xlabel="classes, most hurt to most helped", ylabel=_drop_label(metric))
    ranking.axhline(reference, ls="--", lw=0.8, color=ACCURACY, label=f"all classes: {_drop_or_gain(reference)}")
    ranking.axhline(0, lw=0.6, color=ACCURACY)
    ranking.legend(frameon=False, fontsize=7)
    if with_extremes:
        hurt = [i for i in range(min(EXTREMES, len(values))) if values[i] > 0]
        helped = [i for i in range(max(EXTREMES, len(values) - EXTREMES), len(values)) if values[i] < 0]
        chosen_rows = np.array(hurt + helped, dtype=int)
        y = np.arange(len(chosen_rows))
        extremes.barh(y, values[chosen_rows], color=colours[chosen_rows])
        extremes.set_yticks(y, [names[i] for i in chosen_rows], fontsize=7)
        if hurt and helped:
            extremes.axhline(len(hurt) - 0.5, lw=0.6, color="0.7")
        extremes.invert_yaxis()
        extremes.axvline(reference, ls="--", lw=0.8, color=ACCURACY)
        extremes.axvline(0, lw=0.6, color=ACCURACY)
        extremes.set(xlabel=_drop_label(metric))
        title(extremes, f"The {len(hurt)} most hurt and {len(helped)} most helped classes"
                        + ("" if helped else " (no class is helped)"))
        title(ranking, f"All {len(values)} classes")
    figure.tight_layout()
    suptitle(figure, f"{layer}: class {LABELS[metric]} drop after ablating {_percent(ratio)} of its filters "
                     f"(mean over {int(rows.groups.max())} similarity groups; whiskers: the lowest and highest group)"
                     + (f"\n{improved}" if improved else ""))
    return figure


def class_lines(table: pd.DataFrame, classes: list[str], class_names: list[str], metric: str) -> Figure:
    """Fig. 18 (a, b): the drop of `metric` of chosen classes across the layers, at 10 % (a) and 25 % (b)
    (similarity groups, mean): where lines cross, the layers' relative importance depends on the class."""
    means = group_means(table)
    means = means[(means.grouping == FOCUS) & means["class"].isin(classes)]
    layers, ratios = layer_order(means.layer), paper_ratios(means.ratio)
    figure, axes = plt.subplots(1, len(ratios), figsize=(6 * len(ratios), 4), sharey=True, squeeze=False)
    colours = plt.get_cmap("tab10")
    for ax, ratio, letter in zip(axes[0], ratios, "ab"):
        for i, label in enumerate(classes):
            x, part = _by_layer(means[(means.ratio == ratio) & (means["class"] == label)], layers)
            ax.plot(x, part[f"{metric}_drop_mean"], "o-", markersize=3, lw=1.2, color=colours(i % 10),
                    label=_class_name(label, class_names))
        ax.axhline(0, lw=0.6, color=ACCURACY)
        ax.set(ylabel=_drop_label(metric), title=f"({letter}) {_percent(ratio)} of a layer's filters ablated")
        _layer_axis(ax, layers)
    axes[0, -1].legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    suptitle(figure, f"{LABELS[metric].capitalize()} drop of single classes across the layers (similarity groups, "
                     "mean over groups)")
    return figure


def semantics_comparison(table: pd.DataFrame, metric: str) -> Figure:
    """The drop of `metric` per layer under each ablation semantics (similarity groups at the largest ratio), and
    the two most important layers each picks."""
    parts = list(by_semantics(table))
    figure, ax = plt.subplots(figsize=(_layers_width(layer_order(table.layer)), 4))
    offsets = _offsets(len(parts))
    picks = []
    for (name, part), offset, colour in zip(parts, offsets, SEMANTICS_COLOURS):
        overall = overall_means(part, FOCUS)
        overall = overall[overall.ratio == overall.ratio.max()]
        layers = layer_order(overall.layer)
        x, rows = _by_layer(overall, layers)
        _spread_markers(ax, x + offset, rows, metric, color=colour, label=name)
        picks.append(f"{name}: {', '.join(most_important_layers(table, metric, str(name)))}")
    ax.axhline(0, lw=0.6, color=ACCURACY)
    ax.set(ylabel=_drop_label(metric))
    ax.legend(title="semantics", frameon=False, fontsize=7)
    _layer_axis(ax, layer_order(table.layer))
    title(ax, f"{LABELS[metric].capitalize()} drop per layer under each ablation semantics (similarity groups, "
              "largest ratio)\nmost important layers: " + "; ".join(picks), fontsize=9)
    return figure


def null_bands_figure(tests: pd.DataFrame, draws: pd.DataFrame) -> Figure:
    """Each similarity and L1 group's drop against the band of random groups of its size in its layer, one row of
    panels per ratio and one column per semantics; a group filled where it is significant (q < alpha,
    `ablation.vgg.nulls`)."""
    bands = null_bands(draws)
    alpha = float(tests.alpha.iloc[0])
    semantics = list(dict.fromkeys(tests.semantics))
    ratios = sorted(tests.ratio.unique())
    layers = layer_order(tests.layer)
    metric = str(tests.metric.iloc[0])
    figure, axes = plt.subplots(len(ratios), len(semantics), figsize=(_layers_width(layers) * 0.8 * len(semantics),
                                                                       2.3 * len(ratios) + 1.2),
                                squeeze=False, sharex=True)
    figure.subplots_adjust(hspace=0.25, wspace=0.18)
    for (row, ratio), (column, name) in ((r, c) for r in enumerate(ratios) for c in enumerate(semantics)):
        ax = axes[row, column]
        band = bands[(bands.semantics == name) & (bands.ratio == ratio)]
        x, band = _by_layer(band, layers)
        ax.fill_between(x, band["low"], band["high"], color="0.85", step="mid", lw=0)
        ax.plot(x, band["median"], color="0.45", lw=0.8, drawstyle="steps-mid")
        for grouping, marker, offset in (("similarity", "o", -0.12), ("l1", "^", 0.12)):
            groups = tests[(tests.semantics == name) & (tests.ratio == ratio) & (tests.grouping == grouping)]
            gx, groups = _by_layer(groups, layers)
            significant = groups.significant.to_numpy(bool)
            colour = _grouping_colour(grouping)
            for filled in (False, True):
                chosen = significant == filled
                ax.scatter(gx[chosen] + offset, groups["drop"][chosen], marker=marker, s=16, lw=0.9,
                           edgecolors=colour, facecolors=colour if filled else "white", zorder=3)
        ax.axhline(0, lw=0.5, color=ACCURACY)
        if column == 0:  # the row's label once: a second would run into the panel on its left
            ax.set_ylabel(f"{_percent(ratio)} ablated\n{_drop_label(metric)}", fontsize=8)
        if row == 0:
            title(ax, f"{name}", fontsize=9)
    for ax in axes[-1]:
        _layer_axis(ax, layers)
    handles = [Patch(color="0.85", label=f"random groups, {100 * NULL_BAND[0]:g}-{100 * NULL_BAND[1]:g} % quantiles"),
               Line2D([], [], color="0.45", lw=0.8, label="random groups, median"),
               *(Line2D([], [], ls="", marker=m, markeredgecolor=_grouping_colour(g), markerfacecolor="white",
                        label=f"{g} group") for g, m in (("similarity", "o"), ("l1", "^"))),
               Line2D([], [], ls="", marker="o", color="0.3", label=f"filled: q < {alpha:g} (BH over a semantics)")]
    axes[0, -1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7)
    counts = {name: f"{int(part.significant.sum())} of {len(part)}"
              for name, part in tests.groupby("semantics", sort=False)}
    suptitle(figure, f"Filter groups against random groups of the same size in the same layer ({LABELS[metric]}); "
                     f"random groups drawn per layer and ratio: {int(bands.draws.min())} to {int(bands.draws.max())}"
                     f"\ngroups with q < {alpha:g}: " + "; ".join(f"{s}: {c}" for s, c in counts.items()),
             fontsize=9)
    return figure


def _grouping_styles(groupings: list[str]) -> dict[str, dict]:
    """Solid lines for the focus grouping, faint dashed or dotted ones drawn below them for the others."""
    others = [g for g in groupings if g != FOCUS]
    styles = {g: {"ls": OTHER_GROUPING_STYLES[i % len(OTHER_GROUPING_STYLES)], "alpha": 0.45, "lw": 0.9}
              for i, g in enumerate(others)}
    return {FOCUS: {"ls": "-", "lw": 1.4, "zorder": 3}, **styles}


def class_selectivity(selectivity: pd.DataFrame, metric: str) -> Figure:
    """Class selectivity (sd across classes of the class drop of `metric`) per layer, one line per ratio."""
    layers, ratios = layer_order(selectivity.layer), sorted(selectivity.ratio.unique())
    colours = _ratio_colours(ratios)
    present = grouping_order(selectivity.grouping)
    styles = _grouping_styles(present)
    figure, ax = plt.subplots(figsize=(_layers_width(layers), 4))
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
    ax.set(ylabel=f"sd across classes of the\n{_drop_label(metric)}")
    title(ax, "Class selectivity of each layer's filter groups (mean over groups first)")
    return figure


def recovery_passes(recovery: pd.DataFrame, layer: str, metric: str) -> Figure:
    """Figs. 19, 20 (experiment 1): one layer's `metric` per epoch, one line per pass; (b) from epoch 1 on."""
    part = recovery[recovery.layer == layer]
    intact = float(part[part["pass"] == 0][metric].iloc[0])
    passes = part[part["pass"] > 0]
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    colours = plt.get_cmap("tab10")
    for ax, first_epoch, letter in zip(axes, (0, 1), "ab"):
        for p, rows in passes.groupby("pass"):
            rows = rows[rows.epoch >= first_epoch].sort_values("epoch")
            ax.plot(rows.epoch, rows[metric], "o-", markersize=3, lw=1, color=colours((p - 1) % 10), label=f"pass {p}")
        ax.axhline(intact, ls="--", lw=0.9, color=ACCURACY, label="intact")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="retraining epoch (0: just after the ablation)", ylabel=f"{LABELS[metric]} accuracy [%]",
               title=f"({letter}) from epoch {first_epoch}")
    axes[0].legend(frameon=False, fontsize=7)
    first = passes.iloc[0]
    figure.tight_layout()
    suptitle(figure, f"Recovery experiment 1, {layer}: each pass ablates a fresh random {first.ablated_filters} of "
                     f"{first.layer_filters} filters of the intact network and retrains")
    return figure


def _cumulative_epochs(part: pd.DataFrame) -> pd.DataFrame:
    """One layer's rows in training order with `position`: epochs trained in all iterations before plus this epoch."""
    part = part.sort_values(["iteration", "epoch"])
    trained = part[part["iteration"] > 0].groupby("iteration").epoch.max()
    start = trained.cumsum().shift(fill_value=0)
    return part.assign(position=part.epoch + part["iteration"].map(start).fillna(0))


def recovery_iterations(recovery: pd.DataFrame, layer: str, metric: str) -> Figure:
    """Figs. 21, 22 (experiment 2): one layer's `metric` after every epoch of every iteration, end to end, each
    iteration labelled with the share of the layer's filters ablated so far."""
    part = _cumulative_epochs(recovery[recovery.layer == layer])
    intact = float(part[part["iteration"] == 0][metric].iloc[0])
    figure, ax = plt.subplots(figsize=(11, 3.8))
    colours = plt.get_cmap("viridis")
    iterations = sorted(part.loc[part["iteration"] > 0, "iteration"].unique())
    for i, p in enumerate(iterations):
        rows = part[part["iteration"] == p]
        share = rows.ablated_filters.iloc[0] / rows.layer_filters.iloc[0]
        ax.plot(rows.position, rows[metric], "o-", markersize=2.5, lw=1, color=colours(i / max(len(iterations) - 1, 1)),
                label=f"iteration {p}: {_percent(round(share, 4))} ablated")
        ax.axvline(rows.position.iloc[0], lw=0.7, ls=":", color=ACCURACY)
    ax.axhline(intact, ls="--", lw=0.9, color=ACCURACY, label="intact")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="cumulative retraining epochs (dotted: a new ablation)", ylabel=f"{LABELS[metric]} accuracy [%]")
    ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    first = part[part["iteration"] == iterations[0]].iloc[0]
    figure.tight_layout()
    suptitle(figure, f"Recovery experiment 2, {layer}: each iteration draws {first.ablated_filters} of the layer's "
                     f"{first.layer_filters} filters at random (already ablated ones included), ablates them too and "
                     "retrains")
    return figure


def shapley_groups(values: pd.DataFrame, metric: str) -> Figure:
    """Per layer: each filter group's Shapley value for `metric` (bars, +-1.96 standard errors where sampled) and
    the other metric (dots), beside its single-group ablation drop (crosses); groups ordered by their value."""
    other = next(m for m in METRICS if m != metric)
    layers = layer_order(values.layer.unique())
    figure, axes = plt.subplots(1, len(layers), figsize=(5.6 * len(layers), 4.2), squeeze=False)
    for ax, layer in zip(axes[0], layers):
        part = values[values.layer == layer]
        leading, second = (part[part.metric == m].set_index("group") for m in (metric, other))
        order = leading.value.sort_values(ascending=False).index
        x = np.arange(len(order))
        orders = int(part.permutations.iloc[0])
        exact = orders == EXACT
        # Grey bars: the black interval stays visible inside them.
        ax.bar(x, leading.value[order], yerr=None if exact else 1.96 * leading.standard_error[order], color="0.7",
               ecolor=ACCURACY, capsize=2,
               label=f"Shapley value, {LABELS[metric]} (95 % interval where sampled)")
        ax.plot(x, second.value[order], "o", color=GAIN, ms=4, label=f"Shapley value, {LABELS[other]}")
        ax.plot(x, leading.single_drop[order], "x", color=DROP, ms=5, label=f"single-group drop, {LABELS[metric]}")
        ax.axhline(0, lw=0.6, color="0.5")
        ax.set_xticks(x, order, fontsize=7)
        ax.set_xlabel("filter group (similarity partition)")
        ax.set_ylabel("accuracy [%p]")
        total = leading.value.sum()
        how = f"exact over all {2 ** len(order)} coalitions" if exact else f"{orders} orders"
        title(ax, f"{layer} ({part.semantics.iloc[0]}): {len(order)} groups, {how};\n{LABELS[metric]} values add up "
                  f"to {total:.1f} %p (intact minus all groups ablated)", fontsize=8)
    axes[0][0].legend(fontsize=7, frameon=False)
    return figure


def rankings_by_semantics(table: pd.DataFrame, rankings: pd.DataFrame, metric: str) -> Figure:
    """Every group's overall drop under each semantics against the first's, with the rankings' agreement
    (`statistics.semantics_rankings`) at the largest ratio."""
    metric = str(rankings.metric.iloc[0]) if len(rankings) else metric
    found = pd.concat([drops(part).assign(semantics=name) for name, part in by_semantics(table)], ignore_index=True)
    found = found[found["class"] == ALL]
    frame = pd.DataFrame({"semantics": found.semantics, "kind": found.grouping + " group",
                          "ablation": found.layer + " " + found.grouping + " " + found.ratio.astype(str) + " "
                          + found.group.astype(str), "drop": found[f"{metric}_drop"]})
    largest = rankings[rankings.ratio == rankings.ratio.max()]
    lines = {name: [agreement_line(f"{row.ranking}, {_percent(row.ratio)}", row) for _, row in part.iterrows()]
             for name, part in largest.groupby("semantics", sort=False)}
    return drops_against_reference(frame, str(rankings.reference.iloc[0]), lines, "%p",
                                   f"Every group's overall {LABELS[metric]} drop under each semantics (every layer "
                                   "and ratio); rho and top-k shared at the largest ratio [95 % interval over "
                                   "groups]",
                                   {f"{grouping} group": colour for grouping, colour in GROUPING_COLOURS.items()})

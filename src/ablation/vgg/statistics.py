"""Derived tables of the VGG19-BN filter-group ablations (the paper's second study).

Input: the ablation table, one row per (semantics, ablation, class) with columns `semantics, layer, grouping,
ratio, group, filters, class, images, top1, top5, top5_gained, top5_lost, top1_gained, top1_lost`; the intact
network is the rows with layer `none`. Most functions here take the rows of one semantics (`by_semantics`,
`of_semantics`). A drop is intact minus ablated accuracy of the same class, in percentage points (> 0: worse).
`metric` is the study's leading one (`ablation.vgg.metric`). Every standard deviation here is the population one
(ddof=0, `DDOF`), as in the MNIST study's class selectivity.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction

import numpy as np
import pandas as pd

from ablation.core.rankings import spearman, top_overlap
from ablation.core.statistics import mcnemar_fdr, paired_drop
from ablation.core.tables import INTACT, hits
from ablation.vgg.architecture import layer_index, network_order

ALL = "all"  # the class of the whole test set
GROUPINGS = ("similarity", "random", "l1")
MEASURES = ("top1", "top5")
DDOF = 0
SPREAD = ("mean", "min", "max")  # what group_means keeps of each drop over a condition's groups


def by_semantics(table: pd.DataFrame) -> Iterator[tuple[str | None, pd.DataFrame]]:
    """(semantics, its rows without the column), in the table's order; a table without the column is one part."""
    if "semantics" not in table.columns:
        yield None, table
        return
    for name in table.semantics.unique():
        yield str(name), table[table.semantics == name].drop(columns="semantics").reset_index(drop=True)


def of_semantics(table: pd.DataFrame, semantics: str) -> pd.DataFrame:
    """The rows of `semantics`, without the column (the paper's figures, recovery and Shapley use the one of
    `ablation.vgg.choices`); a table without the column is all of one semantics."""
    if "semantics" not in table.columns:
        return table
    if semantics not in set(table.semantics):
        raise ValueError(f"the table has no rows of semantics {semantics!r}: it has "
                         f"{', '.join(table.semantics.unique())}")
    return table[table.semantics == semantics].drop(columns="semantics").reset_index(drop=True)


def layer_order(layers: Iterable[str]) -> list[str]:
    """The distinct layer names in network order (by numeric index, not alphabetically), without `none`."""
    return network_order(layer for layer in layers if layer != INTACT)


def _grouping_rank(grouping: str) -> int:
    return GROUPINGS.index(grouping) if grouping in GROUPINGS else len(GROUPINGS)


def grouping_order(groupings: Iterable[str]) -> list[str]:
    """The distinct groupings: similarity, random, l1, then any other alphabetically."""
    return sorted(set(groupings), key=lambda g: (_grouping_rank(g), g))


def _sort_key(column: pd.Series) -> pd.Series:
    """Layers in network order, `all` before the numbered classes, the known groupings in GROUPINGS order."""
    if column.name == "layer":
        return column.map(layer_index)
    if column.name == "class":
        return column.map(lambda c: -1 if c == ALL else int(c))
    if column.name == "grouping":
        return column.map(_grouping_rank)
    return column


def _ordered(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return frame.sort_values(by, key=_sort_key, kind="stable").reset_index(drop=True)


def drops(table: pd.DataFrame) -> pd.DataFrame:
    """The ablation rows (intact rows left out) with `top1_drop`, `top5_drop`: intact minus ablated accuracy."""
    intact = table[table.layer == INTACT].set_index("class")
    if intact.empty:
        raise ValueError(f"the table has no intact rows (layer '{INTACT}')")
    if intact.index.duplicated().any():
        raise ValueError("the intact network has more than one row for a class")
    ablated = table[table.layer != INTACT].copy()
    missing = sorted(set(ablated["class"]) - set(intact.index))
    if missing:
        raise ValueError(f"classes without an intact accuracy: {missing[:10]}")
    for measure in MEASURES:
        ablated[f"{measure}_drop"] = intact[measure].reindex(ablated["class"]).to_numpy() - ablated[measure].to_numpy()
    return ablated.reset_index(drop=True)


def group_means(table: pd.DataFrame) -> pd.DataFrame:
    """Per layer, grouping, ratio and class: mean, min and max of each drop over the groups, and `groups`."""
    keys = ["layer", "grouping", "ratio", "class"]
    aggregations = {f"{m}_drop_{s}": (f"{m}_drop", s) for m in MEASURES for s in SPREAD}
    summary = drops(table).groupby(keys, sort=False).agg(groups=("group", "nunique"), **aggregations)
    return _ordered(summary.reset_index(), keys)


def overall_means(table: pd.DataFrame, grouping: str | None = None) -> pd.DataFrame:
    """group_means of the `all` class, of one grouping if given."""
    means = group_means(table)
    chosen = means["class"] == ALL
    if grouping is not None:
        chosen &= means.grouping == grouping
    return means[chosen]


def grouping_comparison(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per grouping and ratio: the `all`-class drops over every layer and group, and how often it hurts most.

    `layers_with_largest_drop` counts the layers at which this grouping's mean (over groups) drop of `metric` is
    the largest of the groupings at that ratio; a tie counts for each tied grouping.
    """
    overall = drops(table)
    overall = overall[overall["class"] == ALL]
    columns: dict[str, tuple[str, str | Callable[[pd.Series], float]]] = {
        "layers": ("layer", "nunique"), "ablations": ("top5", "size")}
    for measure in MEASURES:
        drop = f"{measure}_drop"
        columns |= {f"{drop}_mean": (drop, "mean"), f"{drop}_sd": (drop, lambda s: s.std(ddof=DDOF)),
                    f"{drop}_min": (drop, "min"), f"{drop}_max": (drop, "max")}
    summary = overall.groupby(["grouping", "ratio"], sort=False).agg(**columns)
    means = overall_means(table)
    mean = means[f"{metric}_drop_mean"]
    largest = mean == mean.groupby([means.layer, means.ratio]).transform("max")
    summary["metric"] = metric
    summary["layers_with_largest_drop"] = (
        means[largest].groupby(["grouping", "ratio"]).size().reindex(summary.index, fill_value=0))
    return _ordered(summary.reset_index(), ["grouping", "ratio"])


def class_selectivity(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per layer, grouping and ratio: `selectivity`, the sd (ddof=0) across classes of the class drop of `metric`.

    The class drop is first averaged over the condition's groups; `classes` is how many classes entered.
    """
    means = group_means(table)
    per_class = means[means["class"] != ALL]
    keys = ["layer", "grouping", "ratio"]
    selectivity = per_class.groupby(keys, sort=False).agg(
        selectivity=(f"{metric}_drop_mean", lambda s: s.std(ddof=DDOF)), classes=("class", "nunique"))
    return _ordered(selectivity.reset_index(), keys).assign(metric=metric)


def largest_drop_layers(table: pd.DataFrame, metric: str, count: int = 2, grouping: str = "similarity") -> list[str]:
    """The `count` layers with the largest mean `all`-class drop of `metric` at the grouping's largest ratio.

    Compared exactly, in test images lost (rational means, no float rounding), ties to the earlier layer: two
    machines whose counts agree choose the same layers. Returned in network order; the recovery experiments
    retrain these layers.
    """
    ablated = drops(table)
    overall = ablated[(ablated["class"] == ALL) & (ablated.grouping == grouping)]
    if overall.empty:
        raise ValueError(f"no '{grouping}' ablations in the table; groupings: {sorted(set(table.grouping))}")
    at_largest = overall[overall.ratio == overall.ratio.max()]
    lost = pd.Series(hits(at_largest[f"{metric}_drop"], at_largest.images), index=at_largest.index)
    mean_lost = {layer: Fraction(int(part.sum()), len(part)) for layer, part in lost.groupby(at_largest.layer)}
    chosen = sorted(mean_lost, key=lambda layer: (-mean_lost[layer], layer_index(layer)))[:count]
    return layer_order(chosen)


def most_important_layers(table: pd.DataFrame, metric: str, semantics: str, count: int = 2) -> list[str]:
    """`largest_drop_layers` under `semantics`, with similarity groups (else the first grouping swept): unless
    configured, the recovery and Shapley layers and, on the embedded default, the class layers
    (`ablation.vgg.choices`)."""
    part = of_semantics(table, semantics)
    grouping = grouping_order(part.grouping[part.layer != INTACT])[0]
    return largest_drop_layers(part, metric, count=count, grouping=grouping)


def drop_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """Every ablation's drop, overall and per class, of top-1 and top-5, with its 95 % paired interval over the
    test images (`paired_drop`): one row per (semantics, ablation, class, metric)."""
    frames = []
    for name, part in by_semantics(table):
        rows = part[part.layer != INTACT]
        for metric in MEASURES:
            gained, lost = rows[f"{metric}_gained"].to_numpy(), rows[f"{metric}_lost"].to_numpy()
            drop, low, high = paired_drop(gained, lost, rows.images.to_numpy())
            frames.append(rows[["layer", "grouping", "ratio", "group", "class", "images"]].assign(
                semantics=name, metric=metric, gained=gained, lost=lost, drop=drop, ci_low=low, ci_high=high))
    frame = pd.concat(frames, ignore_index=True)
    return frame[["semantics", "metric", "layer", "grouping", "ratio", "group", "class", "images", "gained", "lost",
                  "drop", "ci_low", "ci_high"]]


def class_changes(table: pd.DataFrame, alpha: float, metric: str) -> pd.DataFrame:
    """Every ablation's per-class change of `metric` against the intact network on the same images: the drop with a
    95 % paired (Wald) interval, and McNemar's exact test of gained vs lost images, Benjamini-Hochberg FDR over every
    test of a semantics. `significant_gain`: q < alpha and more images gained than lost (the class improves).

    `best_gain_q`: the smallest q the test could reach with a gain, whatever any ablation did: the p of its class
    gaining every image the intact network misses and losing none (McNemar: 2 x 0.5^misses). BH's q is never below
    a test's p and equals it when every other test is at least as significant. `gain_testable`: it is below alpha;
    where not, the test cannot show an improvement: too few images per class, or too few of them missed (a metric
    at its ceiling); with alpha 0.05 a class needs 6 misses."""
    frames = []
    for name, part in by_semantics(table):
        rows = part[(part.layer != INTACT) & (part["class"] != ALL)].copy()
        gained, lost = rows[f"{metric}_gained"].to_numpy(), rows[f"{metric}_lost"].to_numpy()
        rows["metric"], rows["gained"], rows["lost"] = metric, gained, lost
        rows["accuracy_drop"], rows["ci_low"], rows["ci_high"] = paired_drop(gained, lost, rows.images.to_numpy())
        rows["p"], rows["q"] = mcnemar_fdr(gained, lost, alpha)
        rows["significant_gain"] = (rows.q < alpha) & (rows.gained > rows.lost)
        rows["significant_loss"] = (rows.q < alpha) & (rows.lost > rows.gained)
        intact = part[part.layer == INTACT].set_index("class")
        missed = rows.images.to_numpy() - hits(intact[metric].reindex(rows["class"]), rows.images)
        rows["best_gain_q"] = mcnemar_fdr(missed, np.zeros_like(missed), alpha)[0]
        rows["gain_testable"] = rows.best_gain_q < alpha
        columns = ["layer", "grouping", "ratio", "group", "class", "images", "metric", "gained", "lost",
                   "accuracy_drop", "ci_low", "ci_high", "p", "q", "significant_gain", "significant_loss",
                   "best_gain_q", "gain_testable"]
        frames.append(rows[columns].assign(semantics=name))
    frame = pd.concat(frames, ignore_index=True)
    return frame[["semantics", *frame.columns[:-1]]]


def crossing_classes(table: pd.DataFrame, ratio: float, count: int, metric: str) -> list[str]:
    """The `count` classes whose similarity-group drop of `metric` at `ratio` varies most across the layers (sd),
    the classes whose lines in Fig. 18 can cross; ties to the lower class."""
    means = group_means(table)
    part = means[(means.grouping == "similarity") & (means.ratio == ratio) & (means["class"] != ALL)]
    spread = part.groupby("class")[f"{metric}_drop_mean"].std(ddof=DDOF)
    ranked = sorted(spread.index, key=lambda c: (-round(float(spread[c]), 9), int(c)))
    return ranked[:count]


def recovery_gaps(recovery: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """A recovery experiment's gap to the intact network after each pass (experiment 1) or iteration (experiment 2),
    on every metric [%p, > 0: below intact], at the step's last epoch, with its paired interval over the test images
    (`paired_drop`, from the images gained and lost against the intact network); and for experiment 1 per layer the
    mean over passes (`step` "all") with an interval over passes and images: the standard error combines the
    passes' spread over sqrt(passes) (none with one pass) with the mean of the passes' image standard errors (the
    passes share the images, so their image errors need not average out)."""
    from scipy import stats  # here, not at the top: the figures import this module and draw without scipy

    step = "pass" if "pass" in recovery.columns else "iteration"
    z = stats.norm.ppf(0.5 + confidence / 2)
    rows = []
    for (layer, part), metric in itertools.product(recovery.groupby("layer", sort=False), MEASURES):
        last = part[part[step] > 0].sort_values([step, "epoch"]).groupby(step).last()
        gap, low, high = paired_drop(last[f"{metric}_gained"].to_numpy(), last[f"{metric}_lost"].to_numpy(),
                                     last.images.to_numpy(), confidence)
        for number, epoch, images, *values in zip(last.index, last.epoch, last.images, gap, low, high):
            rows.append((layer, metric, str(number), int(epoch), int(images), *values, "images (paired)"))
        if step == "pass":
            image_error = ((high - low) / (2 * z)).mean()
            between = gap.std(ddof=1) / np.sqrt(len(gap)) if len(gap) > 1 else 0.0
            error = float(np.hypot(between, image_error))
            over = f"{len(gap)} passes and images" if len(gap) > 1 else "images (one pass)"
            rows.append((layer, metric, "all", int(last.epoch.max()), int(last.images.iloc[0]), gap.mean(),
                         gap.mean() - z * error, gap.mean() + z * error, over))
    frame = pd.DataFrame(rows, columns=["layer", "metric", step, "epoch", "images", "gap", "ci_low", "ci_high",
                                        "over"])
    return frame.assign(experiment=1 if step == "pass" else 2)[
        ["experiment", "layer", "metric", step, "epoch", "images", "gap", "ci_low", "ci_high", "over"]]


NULL_BAND = (0.05, 0.95)  # the quantiles of the random groups' drops drawn as the null's band


def null_bands(draws: pd.DataFrame) -> pd.DataFrame:
    """Per semantics, layer and ratio: the random groups' drops (`ablation.vgg.nulls` draws) as a band, their
    `NULL_BAND` quantiles and median, and how many were drawn."""
    keys = ["semantics", "metric", "layer", "ratio"]
    grouped = draws.groupby(keys, sort=False)["drop"]
    low, high = NULL_BAND
    return grouped.agg(draws="size", low=lambda d: d.quantile(low), median="median",
                       high=lambda d: d.quantile(high)).reset_index()


RANKING_COLUMNS = ["semantics", "reference", "ranking", "ratio", "metric", "items", "spearman", "spearman_low",
                   "spearman_high", "top", "overlap", "overlap_low", "overlap_high", "resamples"]


def semantics_rankings(table: pd.DataFrame, metric: str, top: int, resamples: int, seed: int) -> pd.DataFrame:
    """How each semantics ranks what matters against the first one's, per ratio: the layers (by their similarity
    groups' mean overall drop of `metric`) and every group (similarity, random, L1) by its own drop. Spearman's rho
    and the share of the `top` largest shared, with 95 % percentile intervals over groups: each resample draws every
    layer's groups with replacement (the same groups under both semantics)."""
    parts = dict(by_semantics(table))
    names = list(parts)
    key = ["layer", "grouping", "ratio", "group"]
    overall = {name: drops(part)[lambda d: d["class"] == ALL].set_index(key)[f"{metric}_drop"]
               for name, part in parts.items()}
    rng = np.random.default_rng(seed)
    rows = []
    for ratio in sorted(overall[names[0]].index.get_level_values("ratio").unique()):
        reference = overall[names[0]].xs(ratio, level="ratio", drop_level=False)
        layers = layer_order(reference.index.get_level_values("layer"))
        for name in names[1:]:
            other = overall[name].reindex(reference.index)
            for ranking, chosen in (("layers", reference.index.get_level_values("grouping") == "similarity"),
                                    ("groups", np.ones(len(reference), bool))):
                a, b = reference[chosen], other[chosen]
                # Group positions layer by layer, and resamples of them within each layer, the same for both semantics.
                by_layer = [np.flatnonzero(a.index.get_level_values("layer") == layer) for layer in layers]
                draws = np.concatenate([rng.choice(index, (resamples, len(index))) for index in by_layer], axis=1)
                if ranking == "layers":
                    sizes = [len(index) for index in by_layer]
                    observed = [_layer_means(x.to_numpy(), np.concatenate(by_layer), sizes) for x in (a, b)]
                    resampled = [_layer_means(x.to_numpy(), draws, sizes) for x in (a, b)]
                else:
                    observed = [x.to_numpy() for x in (a, b)]
                    resampled = [x.to_numpy()[draws] for x in (a, b)]
                rho, overlap = spearman(observed[0], observed[1])[0], top_overlap(observed[0], observed[1], top)[0]
                rho_r, overlap_r = spearman(resampled[0], resampled[1]), top_overlap(resampled[0], resampled[1], top)
                rows.append([name, names[0], ranking, ratio, metric, len(observed[0]), rho,
                             *np.nanquantile(rho_r, [0.025, 0.975]), top, overlap,
                             *np.quantile(overlap_r, [0.025, 0.975]), resamples])
    return pd.DataFrame(rows, columns=RANKING_COLUMNS)


def _layer_means(values: np.ndarray, picked: np.ndarray, sizes: list[int]) -> np.ndarray:
    """The mean of each layer's picked values: `picked` (..., groups) holds positions layer after layer, `sizes`
    of each layer."""
    bounds = np.cumsum([0, *sizes])
    return np.stack([values[picked[..., start:end]].mean(-1) for start, end in zip(bounds, bounds[1:])], -1)

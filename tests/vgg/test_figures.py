"""The VGG study's derived tables and figures, on small synthetic tables with known drops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from statsmodels.stats.contingency_tables import mcnemar

from ablation.mnist import plots
from ablation.mnist.comparison import NOT_COMPARABLE, vgg_rows
from ablation.vgg import figures as vgg_figures
from ablation.vgg import metric as vgg_metric
from ablation.vgg import plots as vgg_plots
from ablation.vgg import registry as vgg_registry
from ablation.vgg import statistics as vgg_statistics

# Deliberately not in network order: `features.10` sorts before `features.3` alphabetically.
LAYERS = {"features.10": 20.0, "features.0": 10.0, "features.49": 60.0, "features.3": 80.0}  # layer: base drop
SLOPE = {"features.0": 0.5, "features.3": 2.0, "features.10": 1.0, "features.49": 3.0}  # class selectivity
GROUPS = {"similarity": 3, "random": 3, "l1": 1}
FACTOR = {"similarity": 1.0, "random": 0.5, "l1": 0.8}
L1_WINS_AT = "features.0"  # the one layer where l1 hurts more than similarity
RATIOS = (0.05, 0.25)


def _factor(grouping: str, layer: str) -> float:
    return 4.0 if (grouping, layer) == ("l1", L1_WINS_AT) else FACTOR[grouping]


def _intact(label: str, classes: int) -> tuple[float, float]:
    """Intact top-1 and top-5 of a class (`all`: the class mean)."""
    index = np.arange(classes) if label == "all" else np.array([int(label)])
    return float(np.mean(60 + 30 * index / classes)), float(np.mean(80 + 15 * index / classes))


def _class_effect(layer: str, label: str, classes: int) -> float:
    return 0.0 if label == "all" else SLOPE[layer] * (int(label) - (classes - 1) / 2) * 10 / classes


def _top5_drop(layer: str, grouping: str, ratio: float, group: int, label: str, classes: int) -> float:
    return LAYERS[layer] * ratio * _factor(grouping, layer) + group + _class_effect(layer, label, classes)


def ablation_table(classes: int = 10) -> pd.DataFrame:
    """Intact rows, then every layer x grouping x ratio x group x class; top-1 drops are twice the top-5 drops."""
    labels = ["all", *(str(c) for c in range(classes))]
    rows = []
    for label in labels:
        top1, top5 = _intact(label, classes)
        rows.append(("none", "none", 0.0, 0, 0, label, 50, top1, top5))
    for layer in LAYERS:
        for grouping, groups in GROUPS.items():
            for ratio in RATIOS:
                for group in range(groups):
                    for label in labels:
                        top1, top5 = _intact(label, classes)
                        drop = _top5_drop(layer, grouping, ratio, group, label, classes)
                        rows.append((layer, grouping, ratio, group, round(64 * ratio), label, 50, top1 - 2 * drop,
                                     top5 - drop))
    return pd.DataFrame(rows, columns=["layer", "grouping", "ratio", "group", "filters", "class", "images", "top1",
                                       "top5"])


def recovery_table(experiment: int, epochs: tuple[int, ...] = (3, 2, 4)) -> pd.DataFrame:
    """Two layers: the intact network, then passes with `epochs[p - 1]` retraining epochs each."""
    rows = []
    for layer, width in (("features.49", 512), ("features.3", 64)):
        rows.append((experiment, layer, 0, 0, width, 0, 70.0, 90.0))
        for p, trained in enumerate(epochs, start=1):
            ablated = width // 4 * (p if experiment == 2 else 1)
            for epoch in range(trained + 1):
                top1 = 70.0 - (30 + 3 * p) * (0.6 ** epoch) - (5 * p if experiment == 2 else 1.5 * p)
                rows.append((experiment, layer, p, ablated, width, epoch, top1, top1 + 18))
    return pd.DataFrame(rows, columns=["experiment", "layer", "pass", "ablated_filters", "layer_filters", "epoch",
                                       "top1", "top5"])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return ablation_table()


@pytest.fixture(scope="module")
def table_1000() -> pd.DataFrame:
    return ablation_table(1000)


def names(classes: int) -> list[str]:
    return [f"class {c}" for c in range(classes)]


def saved(figure: plots.Figure, axes: int, tmp_path: Path) -> None:
    """The figure has `axes` axes (colorbars included) and saves to a PNG of more than a few KB; closes it."""
    assert isinstance(figure, plots.Figure)
    assert len(figure.axes) == axes
    path = tmp_path / "figure.png"
    plots.save(figure, str(path))
    assert path.stat().st_size > 5_000


# Derived tables


def test_layer_order_is_numeric_and_leaves_out_the_intact_network():
    assert vgg_statistics.layer_order(["features.10", "none", "features.3", "features.0", "features.3"]) == [
        "features.0", "features.3", "features.10"]


def test_drops_are_intact_minus_ablated_for_every_ablation_row(table):
    drops = vgg_statistics.drops(table)
    assert len(drops) == (table.layer != "none").sum() and (drops.layer != "none").all()
    row = drops.query("layer == 'features.3' and grouping == 'similarity' and ratio == 0.25 and group == 2 "
                      "and `class` == '7'").iloc[0]
    intact = table.query("layer == 'none' and `class` == '7'").iloc[0]
    assert row.top5_drop == pytest.approx(intact.top5 - row.top5)
    assert row.top1_drop == pytest.approx(intact.top1 - row.top1)
    assert row.top5_drop == pytest.approx(80 * 0.25 + 2 + 2.0 * (7 - 4.5))
    assert row.top1_drop == pytest.approx(2 * row.top5_drop)


def test_drops_need_the_intact_network(table):
    with pytest.raises(ValueError, match="intact"):
        vgg_statistics.drops(table[table.layer != "none"])


def test_grouping_comparison_summarises_the_all_class_drops(table):
    summary = vgg_statistics.grouping_comparison(table, "top5")
    assert list(zip(summary.grouping, summary.ratio)) == [
        (g, r) for g in ("similarity", "random", "l1") for r in RATIOS]
    row = summary.query("grouping == 'similarity' and ratio == 0.25").iloc[0]
    values = np.array([base * 0.25 + group for base in LAYERS.values() for group in range(3)])
    assert row.layers == 4 and row.ablations == 12
    assert row.top5_drop_mean == pytest.approx(values.mean())
    assert row.top5_drop_sd == pytest.approx(values.std(ddof=0))
    assert (row.top5_drop_min, row.top5_drop_max) == pytest.approx((values.min(), values.max()))
    assert row.top1_drop_mean == pytest.approx(2 * values.mean())
    l1 = summary.query("grouping == 'l1' and ratio == 0.05").iloc[0]
    assert l1.ablations == 4 and l1.top5_drop_sd == pytest.approx(
        np.std([_factor("l1", layer) * base * 0.05 for layer, base in LAYERS.items()]))
    # Similarity hurts most at every layer but one, where l1 does; random never.
    assert (summary.metric == "top5").all()
    counts = summary.set_index(["grouping", "ratio"]).layers_with_largest_drop
    for ratio in RATIOS:
        assert (counts["similarity", ratio], counts["random", ratio], counts["l1", ratio]) == (3, 0, 1)


def test_class_selectivity_is_the_population_sd_across_classes(table):
    selectivity = vgg_statistics.class_selectivity(table, "top5")
    assert len(selectivity) == 4 * 3 * 2 and (selectivity.classes == 10).all()
    assert list(selectivity.layer.unique()) == ["features.0", "features.3", "features.10", "features.49"]
    spread = np.std(np.arange(10) - 4.5, ddof=0)  # the base and group terms are the same for every class
    for row in selectivity.itertuples():
        assert row.selectivity == pytest.approx(SLOPE[row.layer] * spread)
    # The group mean comes first: ddof=0 over the 10 class means, not over the 30 (class, group) values.
    part = vgg_statistics.drops(table).query("layer == 'features.49' and grouping == 'random' and ratio == 0.05 "
                                              "and `class` != 'all'")
    expected = part.groupby("class").top5_drop.mean().std(ddof=0)
    assert selectivity.query("layer == 'features.49' and grouping == 'random' and ratio == 0.05").selectivity.iloc[0] \
        == pytest.approx(expected)


def test_largest_drop_layers_picks_the_worst_layers_at_the_largest_ratio(table):
    assert vgg_statistics.largest_drop_layers(table, "top5") == ["features.3", "features.49"]
    assert vgg_statistics.largest_drop_layers(table, "top5", count=1, grouping="random") == ["features.3"]
    # At 25 %, l1 hurts features.0 the most (10 * 0.25 * 4 = 10) after features.3 and features.49.
    assert vgg_statistics.largest_drop_layers(table, "top5", count=3, grouping="l1") == [
        "features.0", "features.3", "features.49"]
    with pytest.raises(ValueError, match="groupings"):
        vgg_statistics.largest_drop_layers(table, "top5", grouping="magnitude")


def test_the_leading_metric_decides_the_most_important_layers(table):
    """Top-1 drops that rank the layers otherwise than top-5: the leading metric decides."""
    swapped = table.copy()
    hurt = (swapped.layer == "features.10") & (swapped.ratio == 0.25)
    swapped.loc[hurt, "top1"] -= 60.0  # features.10 loses much top-1, no top-5
    assert vgg_statistics.most_important_layers(swapped, "top5") == ["features.3", "features.49"]
    assert vgg_statistics.most_important_layers(swapped, "top1") == ["features.3", "features.10"]


@pytest.mark.parametrize(("setting", "classes", "metric"), [
    ("auto", 10, "top1"), ("auto", 99, "top1"), ("auto", 100, "top5"), ("auto", 1000, "top5"),
    ("top5", 10, "top5"), ("top1", 1000, "top1")])
def test_the_leading_metric_is_top5_only_with_enough_classes(setting, classes, metric):
    assert vgg_metric.leading(setting, classes) == metric
    assert vgg_metric.reason(setting, classes).startswith(vgg_metric.LABELS[metric])


def test_an_unknown_metric_setting_is_refused():
    with pytest.raises(ValueError, match="top3.*auto, top1, top5"):
        vgg_metric.leading("top3", 10)


# Figures


@pytest.mark.parametrize("measure", ["top5", "top1"])
def test_layer_drops_at_the_papers_ratios(table, measure, tmp_path):
    figure = vgg_plots.layer_drops(table, measure)  # Fig. 14 (top-5), Fig. 15 (top-1)
    labels = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert labels == ["features.0", "features.3", "features.10", "features.49"]
    assert [text.get_text() for text in figure.axes[0].get_legend().get_texts()] == ["5 %", "25 %"]
    assert measure.replace("top", "top-") in figure.axes[0].get_title().lower()
    saved(figure, 1, tmp_path)
    assert vgg_registry.paper_ratios([0.01, 0.05, 0.1, 0.25]) == [0.1, 0.25]
    assert vgg_registry.paper_ratios([0.05, 0.25]) == [0.05, 0.25]


@pytest.mark.parametrize("metric", ["top1", "top5"])
def test_figures_beyond_14_15_name_the_leading_metric(table, metric, tmp_path):
    label = vgg_metric.LABELS[metric]
    for figure in (vgg_plots.ratio_curves(table, metric), vgg_plots.grouping_comparison(table, metric),
                   vgg_plots.class_drop_heatmap(table, names(10), metric), vgg_plots.semantics_comparison(
                       _with_changes(table), metric), vgg_plots.class_drops(table, "features.49", names(10), metric),
                   vgg_plots.recovery_passes(recovery_table(1), "features.3", metric)):
        texts = [ax.get_ylabel() for ax in figure.axes] + [ax.get_title() for ax in figure.axes]
        texts.append(figure._suptitle.get_text() if figure._suptitle else "")
        assert any(label in text for text in texts), texts
        other = vgg_metric.LABELS["top5" if metric == "top1" else "top1"]
        assert not any(other in text for text in texts), texts
        plots.plt.close(figure)


def test_ratio_curves(table, tmp_path):
    saved(vgg_plots.ratio_curves(table, "top5"), 2, tmp_path)  # the panel and the depth colorbar


def test_grouping_comparison(table, tmp_path):
    saved(vgg_plots.grouping_comparison(table, "top5"), len(RATIOS), tmp_path)


@pytest.mark.parametrize("classes", [10, 1000])
def test_class_drop_heatmap(classes, table, table_1000, tmp_path):
    figure = vgg_plots.class_drop_heatmap(table if classes == 10 else table_1000, names(classes), "top5")
    ax = figure.axes[0]
    assert ax.images[0].get_array().shape == (4, classes)
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    if classes == 10:
        assert ticks == names(10)
    else:
        assert not any(tick.startswith("class") for tick in ticks) and len(ticks) < 20
    low, high = ax.images[0].get_clim()
    assert low == pytest.approx(-high) and low < 0  # centred at zero
    saved(figure, 2, tmp_path)


def test_class_drops_of_few_classes_is_one_panel_with_the_groups_spread_as_whiskers(table, tmp_path):
    figure = vgg_plots.class_drops(table, "features.49", names(10), "top5")
    ranking = figure.axes[0]
    # The slope is positive: high classes suffer most, and every class is hurt (no second panel to repeat them).
    assert [label.get_text() for label in ranking.get_xticklabels()] == [f"class {c}" for c in range(9, -1, -1)]
    whiskers = next(c for c in ranking.collections if isinstance(c, LineCollection)).get_segments()
    # The groups add 0, 1 and 2 %p: the whiskers run from the lowest group to the highest, 2 %p apart.
    assert [round(float(w[1][1] - w[0][1]), 6) for w in whiskers] == [2.0] * 10
    reference = [text.get_text() for text in ranking.get_legend().get_texts() if text.get_text().startswith("all")]
    assert reference == ["all classes: drop 16.0 %p"]  # 60 x 25 % + the groups' mean 1; no sign to misread
    saved(figure, 1, tmp_path)


def test_class_drops_of_many_classes_names_only_classes_that_are_helped(table_1000, tmp_path):
    figure = vgg_plots.class_drops(table_1000, "features.49", names(1000), "top5")
    extremes = [label.get_text() for label in figure.axes[1].get_yticklabels()]
    assert extremes == [f"class {c}" for c in range(999, 994, -1)]  # every class is hurt: none is named as helped
    assert "no class is helped" in figure.axes[1].get_title()
    helped = table_1000.copy()
    ablated = (helped.layer == "features.49") & helped["class"].isin(["0", "1", "2"])
    helped.loc[ablated, "top5"] = 99.0  # above the intact 80-95 %: a negative drop
    figure = vgg_plots.class_drops(helped, "features.49", names(1000), "top5")
    extremes = [label.get_text() for label in figure.axes[1].get_yticklabels()]
    most_helped_last = ["class 2", "class 1", "class 0"]
    assert extremes == [f"class {c}" for c in range(999, 994, -1)] + most_helped_last
    saved(figure, 2, tmp_path)


def test_class_drops_names_the_available_layers(table):
    with pytest.raises(ValueError, match=r"features\.99.*features\.0"):
        vgg_plots.class_drops(table, "features.99", names(10), "top5")


def test_class_selectivity(table, tmp_path):
    selectivity = vgg_statistics.class_selectivity(table, "top5")
    figure = vgg_plots.class_selectivity(selectivity, "top5")
    assert len(figure.axes[0].get_lines()) == 3 * len(RATIOS)
    saved(figure, 1, tmp_path)
    saved(vgg_plots.class_selectivity(selectivity[selectivity.grouping == "similarity"], "top5"), 1, tmp_path)


def test_recovery_figures_show_the_first_and_second_layer_in_network_order(tmp_path):
    recovery = recovery_table(1)
    assert vgg_figures.recovery_layers(recovery) == ["features.3", "features.49"]  # Figs. 19/21, then 20/22
    figure = vgg_plots.recovery_passes(recovery, "features.3", "top5")
    full, from_one = figure.axes
    passes = [line for line in full.get_lines() if line.get_label().startswith("pass")]
    assert len(passes) == 3 and min(np.asarray(passes[0].get_xdata())) == 0
    assert min(min(np.asarray(line.get_xdata()))
               for line in from_one.get_lines() if line.get_label().startswith("pass")) == 1
    assert "features.3" in figure._suptitle.get_text()
    saved(figure, 2, tmp_path)


def test_recovery_iterations_lay_the_iterations_end_to_end(tmp_path):
    figure = vgg_plots.recovery_iterations(recovery_table(2, epochs=(3, 2, 4)), "features.49", "top5")
    ax = figure.axes[0]
    iterations = [line for line in ax.get_lines() if line.get_label().startswith("iteration")]
    starts = [float(np.asarray(line.get_xdata())[0]) for line in iterations]
    assert starts == [0, 3, 5] and float(np.asarray(iterations[-1].get_xdata())[-1]) == 3 + 2 + 4
    assert [line.get_label() for line in iterations] == [
        "iteration 1: 25 % ablated", "iteration 2: 50 % ablated", "iteration 3: 75 % ablated"]
    assert "draws 128 of the layer's 512 filters" in figure._suptitle.get_text()
    saved(figure, 1, tmp_path)


def test_recovery_iterations_title_follows_the_draw_not_a_constant():
    recovery = recovery_table(2, epochs=(1, 1))
    recovery.loc[recovery["pass"] > 0, "ablated_filters"] = recovery["pass"] * recovery.layer_filters // 10
    title = vgg_plots.recovery_iterations(recovery, "features.3", "top1")._suptitle.get_text()
    assert "draws 6 of the layer's 64 filters" in title and "25 %" not in title


def test_largest_drop_layers_compare_images_lost_and_break_ties_by_layer_order():
    rows = [("none", "none", 0.0, 0, 0, "all", 50, 80.0, 90.0)]
    for layer, top5 in (("features.30", 80.0), ("features.20", 80.0 + 1e-5), ("features.10", 80.0),
                        ("features.40", 86.0)):
        rows.append((layer, "similarity", 0.25, 0, 16, "all", 50, 70.0, top5))
    table = pd.DataFrame(rows, columns=["layer", "grouping", "ratio", "group", "filters", "class", "images",
                                        "top1", "top5"])
    # Three layers lose the same 5 of 50 images (one up to float noise): the earliest wins.
    assert vgg_statistics.largest_drop_layers(table, "top5", count=1) == ["features.10"]
    assert vgg_statistics.largest_drop_layers(table, "top5", count=3) == ["features.10", "features.20", "features.30"]


def test_class_lines_cross_for_the_classes_that_vary_most(table, tmp_path):
    classes = vgg_statistics.crossing_classes(table, 0.25, 3, "top5")
    spread = {str(c): np.std([np.mean([_top5_drop(layer, "similarity", 0.25, g, str(c), 10) for g in range(3)])
                              for layer in LAYERS]) for c in range(10)}
    assert classes == sorted(spread, key=lambda c: -spread[c])[:3] == ["9", "8", "7"]
    figure = vgg_plots.class_lines(table, classes, names(10), "top5")
    assert len(figure.axes) == 2 and figure.axes[0].get_title().startswith("(a) 5 %")
    assert [line.get_label() for line in figure.axes[1].get_lines()][:3] == ["class 9", "class 8", "class 7"]
    saved(figure, 2, tmp_path)


def _with_changes(table: pd.DataFrame) -> pd.DataFrame:
    """The synthetic table as the engine writes it: two semantics, and images gained and lost."""
    frame = table.copy()
    for metric in ("top5", "top1"):
        drop = np.round((frame.groupby("class")[metric].transform("first") - frame[metric]) * frame.images / 100)
        frame[f"{metric}_gained"] = np.where(frame.layer == "none", 0, 2 + np.clip(-drop, 0, None)).astype(int)
        frame[f"{metric}_lost"] = np.where(frame.layer == "none", 0, 2 + np.clip(drop, 0, None)).astype(int)
    other = frame.assign(top5=frame.top5 - np.where(frame.layer == "features.0", 30.0, 0.0))
    return pd.concat([frame.assign(semantics="literal"), other.assign(semantics="activation")], ignore_index=True)


def test_class_changes_are_mcnemar_tests_with_paired_intervals():
    table = _with_changes(ablation_table())
    chosen = (table.layer == "features.3") & (table.ratio == 0.25) & (table.group == 0) & (table.semantics == "literal")
    table.loc[chosen & (table["class"] == "4"), ["top5_gained", "top5_lost"]] = [30, 1]  # class 4 clearly improves
    table.loc[chosen & (table["class"] == "5"), ["top5_gained", "top5_lost"]] = [0, 40]  # class 5 clearly suffers
    changes = vgg_statistics.class_changes(table, 0.05, "top5")
    assert list(changes.semantics.unique()) == ["literal", "activation"] and (changes["class"] != "all").all()
    row = changes.iloc[7]
    assert row.metric == "top5" and (row.gained, row.lost) == (table.top5_gained.iloc[19], table.top5_lost.iloc[19])
    assert row.p == pytest.approx(mcnemar([[0, row.gained], [row.lost, 0]], exact=True).pvalue)
    n, b, c = row.images, row.gained, row.lost
    assert row.accuracy_drop == pytest.approx(100 * (c - b) / n) and row.ci_low < row.accuracy_drop < row.ci_high
    planted = changes[(changes.layer == "features.3") & (changes.ratio == 0.25) & (changes.group == 0)
                      & (changes.semantics == "literal")].set_index(["grouping", "class"])
    assert (planted.significant_gain.xs("4", level="class").all()
            and planted.significant_loss.xs("5", level="class").all())
    assert set(changes[changes.significant_gain]["class"]) == {"4"}, "only the planted gain is significant"
    assert changes.q.between(0, 1).all() and (changes.q >= changes.p).all()


def test_class_changes_test_the_metric_asked_for():
    table = _with_changes(ablation_table())
    table["top1_gained"] = table.top5_gained + 7
    top1, top5 = (vgg_statistics.class_changes(table, 0.05, metric) for metric in ("top1", "top5"))
    assert (top1.gained == top5.gained + 7).all() and (top1.metric == "top1").all()


def _at_ceiling(table: pd.DataFrame, missed: int) -> pd.DataFrame:
    """Every class of 50 images with `missed` top-5 misses intact, and ablations that gain all of them."""
    frame = _with_changes(table)
    frame["top5"] = np.where(frame.layer == "none", 100 * (50 - missed) / 50, frame.top5)
    frame["top5_gained"], frame["top5_lost"] = np.where(frame.layer == "none", 0, missed), 0
    return frame


def test_a_class_test_that_cannot_reach_significance_is_not_testable():
    """McNemar's exact p with b gained and none lost is 2 x 0.5^b, and BH's q is never below p: 4 misses give
    0.125 even when every test gains all of them, 6 give 0.031 < 0.05 (q equals p when every test has the same p)."""
    few = vgg_statistics.class_changes(_at_ceiling(ablation_table(), 4), 0.05, "top5")
    assert not few.gain_testable.any() and not few.significant_gain.any()
    assert few.best_gain_q.min() == pytest.approx(0.125)
    enough = vgg_statistics.class_changes(_at_ceiling(ablation_table(), 6), 0.05, "top5")
    assert enough.gain_testable.all() and enough.significant_gain.all()
    assert enough.best_gain_q.max() == pytest.approx(2 * 0.5 ** 6)


def test_the_comparison_says_not_comparable_where_no_class_test_can_show_a_gain():
    few = _at_ceiling(ablation_table(), 4)
    rows = vgg_rows(few, vgg_statistics.class_changes(few, 0.05, "top5"), {}, "digits").set_index("claim")
    gain = rows.loc[rows.index.str.startswith("classes whose top-5 rises")].iloc[0]
    assert gain.verdict.startswith(f"{NOT_COMPARABLE}: no class test can reach q < alpha")
    assert "misses at most 4 of a class's 50-50 images" in gain.verdict and "0 could" in gain.value
    enough = _at_ceiling(ablation_table(), 6)
    rows = vgg_rows(enough, vgg_statistics.class_changes(enough, 0.05, "top5"), {}, "digits").set_index("claim")
    assert rows.loc[rows.index.str.startswith("classes whose top-5 rises")].verdict.iloc[0] == "holds"
    # 10 classes: the paper's layers belong to its ImageNet network; every verdict says how it was decided.
    assert rows.loc[rows.index.str.startswith("the two most important")].verdict.iloc[0].startswith(NOT_COMPARABLE)
    judged = rows[rows.verdict != ""]
    assert (judged.tolerance != "").all() and not judged.tolerance.str.contains(r"± 0\.00").any()


def test_recovery_rows_are_not_comparable_where_the_ablation_costs_nothing():
    recovery = recovery_table(1)
    cheap = recovery.assign(top1=np.where(recovery["pass"] > 0, 69.5, recovery.top1))  # cost 0.5 %p, gap 0.5 %p
    rows = pd.DataFrame(_recovery_rows(cheap, 1, "top1"))
    assert rows.verdict.iloc[0] == (f"{NOT_COMPARABLE}: the ablations took at most 0.50 %p of top-1, under the 1 %p "
                                    "bound before any retraining")
    assert rows.verdict.iloc[1].startswith(NOT_COMPARABLE)
    costly = pd.DataFrame(_recovery_rows(recovery, 1, "top1"))  # cost over 30 %p, never recovered
    assert costly.verdict.iloc[0] == "does not hold" and costly.tolerance.iloc[0] == "threshold: gap < 1 %p"


def test_the_share_ablated_in_experiment_2_follows_the_ratio_drawn():
    recovery = recovery_table(2, epochs=(1, 1, 1))
    recovery["ablated_filters"] = recovery["pass"] * recovery.layer_filters // 8  # 12.5 % a draw, not 25 %
    share = pd.DataFrame(_recovery_rows(recovery, 2, "top5")).iloc[0]
    assert share.other == "expected after 3 draws of 12.5 %: 1 - (1 - 0.125)^3 = 33 %"
    assert share.verdict == f"{NOT_COMPARABLE}: 3 iterations drawing 12.5 % each (the paper: 6 of 25 %)"


def _recovery_rows(recovery: pd.DataFrame, experiment: int, metric: str) -> list[dict[str, str]]:
    from ablation.mnist import comparison

    rows = comparison._recovery1_rows if experiment == 1 else comparison._recovery2_rows
    return rows(recovery[recovery.layer == "features.3"], "literal", metric)


def test_the_first_semantics_chooses_the_layers_of_figs_16_17_and_the_recovery(table):
    swept = _with_changes(table)
    assert [name for name, _ in vgg_statistics.by_semantics(swept)] == ["literal", "activation"]
    assert vgg_statistics.most_important_layers(swept, "top5") == ["features.3", "features.49"]
    # Under the second semantics features.0 would rank first; it never decides.
    second = swept[swept.semantics == "activation"].assign(semantics="activation")
    assert vgg_statistics.most_important_layers(second, "top5")[0] == "features.0"
    assert vgg_figures.class_layers(swept, None, "top5") == ["features.3", "features.49"]
    assert vgg_figures.class_layers(swept, ["features.10", "features.49"], "top5") == ["features.10", "features.49"]


def test_class_drops_with_improving_classes(table, tmp_path):
    changes = vgg_statistics.class_changes(_with_changes(table), 0.05, "top5")
    literal = vgg_statistics.first_semantics(changes)
    figure = vgg_plots.class_drops(table, "features.49", names(10), "top5", literal)
    assert "0 of 10 classes improve significantly" in figure._suptitle.get_text()
    saved(figure, 1, tmp_path)


def test_semantics_comparison(table, tmp_path):
    figure = vgg_plots.semantics_comparison(_with_changes(table), "top5")
    assert "literal: features.3, features.49" in figure.axes[0].get_title()
    assert "activation: features.0" in figure.axes[0].get_title()
    saved(figure, 1, tmp_path)

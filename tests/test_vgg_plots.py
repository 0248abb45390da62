"""The VGG study's derived tables and figures, on small synthetic tables with known drops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ablation import plots, vgg_plots, vgg_statistics

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
    summary = vgg_statistics.grouping_comparison(table)
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
    counts = summary.set_index(["grouping", "ratio"]).layers_with_largest_top5_drop
    for ratio in RATIOS:
        assert (counts["similarity", ratio], counts["random", ratio], counts["l1", ratio]) == (3, 0, 1)


def test_class_selectivity_is_the_population_sd_across_classes(table):
    selectivity = vgg_statistics.class_selectivity(table)
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
    assert vgg_statistics.largest_drop_layers(table) == ["features.3", "features.49"]
    assert vgg_statistics.largest_drop_layers(table, count=1, grouping="random") == ["features.3"]
    # At 25 %, l1 hurts features.0 the most (10 * 0.25 * 4 = 10) after features.3 and features.49.
    assert vgg_statistics.largest_drop_layers(table, count=3, grouping="l1") == [
        "features.0", "features.3", "features.49"]
    with pytest.raises(ValueError, match="groupings"):
        vgg_statistics.largest_drop_layers(table, grouping="magnitude")


# Figures


def test_layer_drops(table, tmp_path):
    figure = vgg_plots.layer_drops(table)
    labels = [label.get_text() for label in figure.axes[1].get_xticklabels()]
    assert labels == ["features.0", "features.3", "features.10", "features.49"]
    saved(figure, 2, tmp_path)


def test_ratio_curves(table, tmp_path):
    saved(vgg_plots.ratio_curves(table), 2, tmp_path)  # the panel and the depth colorbar


def test_grouping_comparison(table, tmp_path):
    saved(vgg_plots.grouping_comparison(table), len(RATIOS), tmp_path)


@pytest.mark.parametrize("classes", [10, 1000])
def test_class_drop_heatmap(classes, table, table_1000, tmp_path):
    figure = vgg_plots.class_drop_heatmap(table if classes == 10 else table_1000, names(classes))
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


@pytest.mark.parametrize("classes", [10, 1000])
def test_class_drops(classes, table, table_1000, tmp_path):
    figure = vgg_plots.class_drops(table if classes == 10 else table_1000, "features.49", names(classes))
    extremes = [label.get_text() for label in figure.axes[1].get_yticklabels()]
    hurt = [f"class {c}" for c in range(classes - 1, classes - 6, -1)]  # the slope is positive: high classes suffer
    helped = [f"class {c}" for c in range(4, -1, -1)]
    assert extremes == hurt + helped
    saved(figure, 2, tmp_path)


def test_class_drops_names_the_available_layers(table):
    with pytest.raises(ValueError, match=r"features\.99.*features\.0"):
        vgg_plots.class_drops(table, "features.99", names(10))


def test_class_selectivity(table, tmp_path):
    selectivity = vgg_statistics.class_selectivity(table)
    figure = vgg_plots.class_selectivity(selectivity)
    assert len(figure.axes[0].get_lines()) == 3 * len(RATIOS)
    saved(figure, 1, tmp_path)
    saved(vgg_plots.class_selectivity(selectivity[selectivity.grouping == "similarity"]), 1, tmp_path)


def test_recovery_experiment1(tmp_path):
    figure = vgg_plots.recovery_experiment1(recovery_table(1))
    assert figure.axes[0].get_title().startswith("features.3")  # network order
    saved(figure, 4, tmp_path)


def test_recovery_experiment2_lays_the_passes_end_to_end(tmp_path):
    figure = vgg_plots.recovery_experiment2(recovery_table(2, epochs=(3, 2, 4)))
    ax = figure.axes[0]
    curve = next(line for line in ax.get_lines() if line.get_label() == "ablated network")
    positions = np.asarray(curve.get_xdata(), dtype=float)
    assert positions[0] == 0 and positions[-1] == 3 + 2 + 4 and (np.diff(positions) >= 0).all()
    assert [text.get_text() for text in ax.texts] == ["25 %", "50 %", "75 %"]
    assert [float(np.asarray(line.get_xdata())[0]) for line in ax.get_lines() if line.get_linestyle() == ":"] == [
        0, 3, 5]
    saved(figure, 4, tmp_path)


def test_largest_drop_layers_compare_images_lost_and_break_ties_by_layer_order():
    rows = [("none", "none", 0.0, 0, 0, "all", 50, 80.0, 90.0)]
    for layer, top5 in (("features.30", 80.0), ("features.20", 80.0 + 1e-5), ("features.10", 80.0), ("features.40", 86.0)):
        rows.append((layer, "similarity", 0.25, 0, 16, "all", 50, 70.0, top5))
    table = pd.DataFrame(rows, columns=["layer", "grouping", "ratio", "group", "filters", "class", "images", "top1", "top5"])
    # Three layers lose the same 5 of 50 images (one up to float noise): the earliest wins.
    assert vgg_statistics.largest_drop_layers(table, count=1) == ["features.10"]
    assert vgg_statistics.largest_drop_layers(table, count=3) == ["features.10", "features.20", "features.30"]

"""The VGG study's figures, on planted tables with known drops (`vgg_tables`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import LineCollection

from ablation.core import style
from ablation.vgg import metric as vgg_metric
from ablation.vgg import plots as vgg_plots
from ablation.vgg import registry as vgg_registry
from ablation.vgg import statistics as vgg_statistics
from vgg_tables import LAYERS, RATIOS, recovery_table, top5_drop, with_changes


def names(classes: int) -> list[str]:
    return [f"class {c}" for c in range(classes)]


def saved(figure: style.Figure, axes: int, tmp_path: Path) -> None:
    """The figure has `axes` axes (colorbars included) and saves to a PNG of more than a few KB; closes it."""
    assert isinstance(figure, style.Figure)
    assert len(figure.axes) == axes
    path = tmp_path / "figure.png"
    style.save(figure, str(path))
    assert path.stat().st_size > 5_000


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
                       with_changes(table), metric), vgg_plots.class_drops(table, "features.49", names(10), metric),
                   vgg_plots.recovery_passes(recovery_table(1), "features.3", metric)):
        texts = [ax.get_ylabel() for ax in figure.axes] + [ax.get_title() for ax in figure.axes]
        texts.append(figure._suptitle.get_text() if figure._suptitle else "")
        assert any(label in text for text in texts), texts
        other = vgg_metric.LABELS["top5" if metric == "top1" else "top1"]
        assert not any(other in text for text in texts), texts
        style.plt.close(figure)


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
    recovery.loc[recovery.iteration > 0, "ablated_filters"] = recovery.iteration * recovery.layer_filters // 10
    title = vgg_plots.recovery_iterations(recovery, "features.3", "top1")._suptitle.get_text()
    assert "draws 6 of the layer's 64 filters" in title and "25 %" not in title


def test_class_lines_cross_for_the_classes_that_vary_most(table, tmp_path):
    classes = vgg_statistics.crossing_classes(table, 0.25, 3, "top5")
    spread = {str(c): np.std([np.mean([top5_drop(layer, "similarity", 0.25, g, str(c), 10) for g in range(3)])
                              for layer in LAYERS]) for c in range(10)}
    assert classes == sorted(spread, key=lambda c: -spread[c])[:3] == ["9", "8", "7"]
    figure = vgg_plots.class_lines(table, classes, names(10), "top5")
    assert len(figure.axes) == 2 and figure.axes[0].get_title().startswith("(a) 5 %")
    assert [line.get_label() for line in figure.axes[1].get_lines()][:3] == ["class 9", "class 8", "class 7"]
    saved(figure, 2, tmp_path)


def test_class_drops_with_improving_classes(table, tmp_path):
    changes = vgg_statistics.class_changes(with_changes(table), 0.05, "top5")
    literal = vgg_statistics.of_semantics(changes, "literal")
    figure = vgg_plots.class_drops(table, "features.49", names(10), "top5", literal)
    assert "0 of 10 classes improve significantly" in figure._suptitle.get_text()
    saved(figure, 1, tmp_path)


def test_semantics_comparison(table, tmp_path):
    figure = vgg_plots.semantics_comparison(with_changes(table), "top5")
    assert "literal: features.3, features.49" in figure.axes[0].get_title()
    assert "activation: features.0" in figure.axes[0].get_title()
    saved(figure, 1, tmp_path)

"""The VGG study's figures: one drawing function per figure id of `ablation.vgg.registry`, of the same name, each
reading the study's result files; the caption is `report/<id>.rst`, the rule is named after the id.
The paper's figures show the first ablation semantics swept (`vgg.ablation.semantics`; the paper's `literal`).
Every drawing function takes `options`: `class_layers` (vgg.figures.class_layers as the workflow resolved it; None:
from the sweep) and `metric` (the leading metric, `ablation.vgg.metric`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ablation.core import style
from ablation.core.tables import read_table
from ablation.vgg import plots, statistics
from ablation.vgg.registry import (
    CHANGES,
    CLASSES,
    CROSSING_CLASSES,
    FIGURES,
    RECOVERY1,
    RECOVERY2,
    SELECTIVITY,
    SHAPLEY_VALUES,
    TABLE,
    paper_ratios,
)


def _sweep(inputs: dict[str, str]) -> pd.DataFrame:
    """The sweep's rows under the first semantics."""
    return statistics.first_semantics(read_table(inputs[TABLE]))


def _names(inputs: dict[str, str]) -> list[str]:
    return pd.read_csv(inputs[CLASSES]).sort_values("class").name.astype(str).tolist()


def class_layers(table: pd.DataFrame, configured: list[str] | None, metric: str) -> list[str]:
    """The layers of Figs. 16 and 17: as configured (the paper's 46 and 49 with vgg19_bn), else the two most
    important layers of the sweep on `metric`, in network order."""
    return list(configured) if configured else statistics.most_important_layers(table, metric)


def recovery_layers(recovery: pd.DataFrame) -> list[str]:
    """The layers an experiment retrained, in network order: Figs. 19/21 show the first, 20/22 the second."""
    return statistics.layer_order(recovery.layer)


@dataclass(frozen=True)
class Options:
    class_layers: list[str] | None
    metric: str


def _class_figure(inputs: dict[str, str], options: Options, position: int) -> style.Figure:
    table = read_table(inputs[TABLE])
    changes = statistics.first_semantics(read_table(inputs[CHANGES]))
    layer = class_layers(table, options.class_layers, options.metric)[position]
    return plots.class_drops(statistics.first_semantics(table), layer, _names(inputs), options.metric, changes)


def fig14_top5_drop_per_layer(inputs: dict[str, str], options: Options) -> style.Figure:
    return plots.layer_drops(_sweep(inputs), "top5")


def fig15_top1_drop_per_layer(inputs: dict[str, str], options: Options) -> style.Figure:
    return plots.layer_drops(_sweep(inputs), "top1")


def fig16_class_drops_first_layer(inputs: dict[str, str], options: Options) -> style.Figure:
    return _class_figure(inputs, options, 0)


def fig17_class_drops_second_layer(inputs: dict[str, str], options: Options) -> style.Figure:
    return _class_figure(inputs, options, 1)


def fig18_class_lines_across_layers(inputs: dict[str, str], options: Options) -> style.Figure:
    table = _sweep(inputs)
    ratio = max(paper_ratios(table.ratio[table.layer != statistics.INTACT]))
    classes = statistics.crossing_classes(table, ratio, CROSSING_CLASSES, options.metric)
    return plots.class_lines(table, classes, _names(inputs), options.metric)


def _recovery(path: str, position: int, draw, metric: str) -> style.Figure:
    recovery = pd.read_csv(path)
    return draw(recovery, recovery_layers(recovery)[position], metric)


def fig19_recovery1_first_layer(inputs: dict[str, str], options: Options) -> style.Figure:
    return _recovery(inputs[RECOVERY1], 0, plots.recovery_passes, options.metric)


def fig20_recovery1_second_layer(inputs: dict[str, str], options: Options) -> style.Figure:
    return _recovery(inputs[RECOVERY1], 1, plots.recovery_passes, options.metric)


def fig21_recovery2_first_layer(inputs: dict[str, str], options: Options) -> style.Figure:
    return _recovery(inputs[RECOVERY2], 0, plots.recovery_iterations, options.metric)


def fig22_recovery2_second_layer(inputs: dict[str, str], options: Options) -> style.Figure:
    return _recovery(inputs[RECOVERY2], 1, plots.recovery_iterations, options.metric)


def extra_vgg_ratio_curves(inputs: dict[str, str], options: Options) -> style.Figure:
    return plots.ratio_curves(_sweep(inputs), options.metric)


def extra_vgg_grouping_comparison(inputs: dict[str, str], options: Options) -> style.Figure:
    return plots.grouping_comparison(_sweep(inputs), options.metric)


def extra_vgg_class_heatmap(inputs: dict[str, str], options: Options) -> style.Figure:
    return plots.class_drop_heatmap(_sweep(inputs), _names(inputs), options.metric)


def extra_vgg_class_selectivity(inputs: dict[str, str], options: Options) -> style.Figure:
    selectivity = statistics.first_semantics(pd.read_csv(inputs[SELECTIVITY]))
    return plots.class_selectivity(selectivity, options.metric)


def extra_vgg_semantics(inputs: dict[str, str], options: Options) -> style.Figure:
    return plots.semantics_comparison(read_table(inputs[TABLE]), options.metric)


def extra_vgg_shapley(inputs: dict[str, str], options: Options) -> style.Figure:
    return plots.shapley_groups(pd.read_csv(inputs[SHAPLEY_VALUES]), options.metric)


def make(figure: str, *, inputs: dict[str, str], output: str, metadata: str, class_layers: list[str] | None,
         metric: str) -> None:
    """Draw `figure` with the function of that name; `class_layers`: vgg.figures.class_layers as the workflow
    resolved it (None: from the sweep); `metric`: the leading metric."""
    if figure not in FIGURES:
        raise KeyError(f"unknown figure '{figure}'; known: {', '.join(FIGURES)}")
    style.save(globals()[figure](inputs, Options(class_layers, metric)), output, metadata)

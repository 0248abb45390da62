"""The VGG study's figures: one drawing function per figure id of `ablation.vgg.registry`, of the same name, each
reading the study's result files; the caption is `report/<id>.rst`, the rule is named after the id.
Every drawing function takes the study's choices (`ablation.vgg.choices`: the semantics the paper's figures show,
the leading metric, the class and recovery layers), read from results/vgg/choices.json, never worked out again.
"""

from __future__ import annotations

import pandas as pd

from ablation.core import style
from ablation.core.tables import read_table
from ablation.vgg import plots, statistics
from ablation.vgg.choices import Choices
from ablation.vgg.registry import (
    CHANGES,
    CHOICES,
    CLASSES,
    CROSSING_CLASSES,
    FIGURES,
    NULL_DRAWS,
    NULL_TESTS,
    RECOVERY1,
    RECOVERY2,
    SELECTIVITY,
    SEMANTICS_RANKINGS,
    SHAPLEY_VALUES,
    TABLE,
    paper_ratios,
)


def _sweep(inputs: dict[str, str], chosen: Choices) -> pd.DataFrame:
    """The sweep's rows under the chosen semantics."""
    return statistics.of_semantics(read_table(inputs[TABLE]), chosen.semantics)


def _names(inputs: dict[str, str]) -> list[str]:
    return pd.read_csv(inputs[CLASSES]).sort_values("class").name.astype(str).tolist()


def _class_figure(inputs: dict[str, str], chosen: Choices, position: int) -> style.Figure:
    changes = statistics.of_semantics(read_table(inputs[CHANGES]), chosen.semantics)
    return plots.class_drops(_sweep(inputs, chosen), chosen.class_layers[position], _names(inputs), chosen.metric,
                             changes)


def fig14_top5_drop_per_layer(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.layer_drops(_sweep(inputs, chosen), "top5")


def fig15_top1_drop_per_layer(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.layer_drops(_sweep(inputs, chosen), "top1")


def fig16_class_drops_first_layer(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return _class_figure(inputs, chosen, 0)


def fig17_class_drops_second_layer(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return _class_figure(inputs, chosen, 1)


def fig18_class_lines_across_layers(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    table = _sweep(inputs, chosen)
    ratio = max(paper_ratios(table.ratio[table.layer != statistics.INTACT]))
    classes = statistics.crossing_classes(table, ratio, CROSSING_CLASSES, chosen.metric)
    return plots.class_lines(table, classes, _names(inputs), chosen.metric)


def _recovery(path: str, position: int, draw, chosen: Choices) -> style.Figure:
    """Figs. 19/21 show the first recovery layer in network order, 20/22 the second."""
    return draw(pd.read_csv(path), chosen.recovery_layers[position], chosen.metric)


def fig19_recovery1_first_layer(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return _recovery(inputs[RECOVERY1], 0, plots.recovery_passes, chosen)


def fig20_recovery1_second_layer(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return _recovery(inputs[RECOVERY1], 1, plots.recovery_passes, chosen)


def fig21_recovery2_first_layer(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return _recovery(inputs[RECOVERY2], 0, plots.recovery_iterations, chosen)


def fig22_recovery2_second_layer(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return _recovery(inputs[RECOVERY2], 1, plots.recovery_iterations, chosen)


def extra_vgg_ratio_curves(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.ratio_curves(_sweep(inputs, chosen), chosen.metric)


def extra_vgg_grouping_comparison(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.grouping_comparison(_sweep(inputs, chosen), chosen.metric)


def extra_vgg_class_heatmap(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.class_drop_heatmap(_sweep(inputs, chosen), _names(inputs), chosen.metric)


def extra_vgg_class_selectivity(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    selectivity = statistics.of_semantics(pd.read_csv(inputs[SELECTIVITY]), chosen.semantics)
    return plots.class_selectivity(selectivity, chosen.metric)


def extra_vgg_semantics(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.semantics_comparison(read_table(inputs[TABLE]), chosen.metric)


def extra_vgg_rankings_by_semantics(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.rankings_by_semantics(read_table(inputs[TABLE]), pd.read_csv(inputs[SEMANTICS_RANKINGS]),
                                       chosen.metric)


def extra_vgg_null_bands(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.null_bands_figure(pd.read_csv(inputs[NULL_TESTS]), pd.read_csv(inputs[NULL_DRAWS]))


def extra_vgg_shapley(inputs: dict[str, str], chosen: Choices) -> style.Figure:
    return plots.shapley_groups(pd.read_csv(inputs[SHAPLEY_VALUES]), chosen.metric)


def make(figure: str, *, inputs: dict[str, str], output: str, metadata: str) -> None:
    """Draw `figure` with the function of that name, from `inputs` (the study's choices among them, `choices`)."""
    if figure not in FIGURES:
        raise KeyError(f"unknown figure '{figure}'; known: {', '.join(FIGURES)}")
    chosen = Choices.read(inputs.pop(CHOICES))
    style.save(globals()[figure](inputs, chosen), output, metadata)

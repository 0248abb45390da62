"""The VGG study's figures (Figs. 14-22) from its result files: `make(figure, inputs, ...)` draws one figure.

`VGG_FIGURES` maps each figure id to the paper figure it reproduces and the result files it reads; the workflow
builds one rule per entry, as for the MNIST figures.
"""

from __future__ import annotations

import pandas as pd

from ablation import plots, vgg_plots
from ablation.figures import FigureSpec
from ablation.outcomes import read_table

TABLE, CLASSES, SELECTIVITY, RECOVERY1, RECOVERY2 = "table", "classes", "selectivity", "recovery1", "recovery2"
SWEEP, CLASS_VIEW, RECOVERY = "7 VGG19-BN: filter-group ablations", "8 VGG19-BN: classes", "9 VGG19-BN: recovery training"
VGG_FIGURES = {
    "fig14_vgg_layer_drops": FigureSpec("Fig. 14", (TABLE,), SWEEP),
    "fig15_vgg_ratio_curves": FigureSpec("Fig. 15", (TABLE,), SWEEP),
    "fig16_vgg_grouping_comparison": FigureSpec("Fig. 16", (TABLE,), SWEEP),
    "fig17_vgg_class_heatmap": FigureSpec("Fig. 17", (TABLE, CLASSES), CLASS_VIEW),
    "fig18_vgg_class_drops_first_layer": FigureSpec("Fig. 18", (TABLE, CLASSES), CLASS_VIEW),
    "fig19_vgg_class_drops_second_layer": FigureSpec("Fig. 19", (TABLE, CLASSES), CLASS_VIEW),
    "fig20_vgg_class_selectivity": FigureSpec("Fig. 20", (SELECTIVITY,), CLASS_VIEW),
    "fig21_recovery_experiment1": FigureSpec("Fig. 21", (RECOVERY1,), RECOVERY),
    "fig22_recovery_experiment2": FigureSpec("Fig. 22", (RECOVERY2,), RECOVERY),
}
# The layer each per-class figure shows: an index into the config's vgg.figures.class_layers.
CLASS_LAYER_OF = {"fig18_vgg_class_drops_first_layer": 0, "fig19_vgg_class_drops_second_layer": 1}
RECOVERY_FIGURE = {1: "fig21_recovery_experiment1", 2: "fig22_recovery_experiment2"}


def _draw(figure: str, inputs: dict[str, str], class_layers: list[str]) -> plots.Figure:
    if figure == "fig20_vgg_class_selectivity":
        return vgg_plots.class_selectivity(pd.read_csv(inputs[SELECTIVITY]))
    if figure == "fig21_recovery_experiment1":
        return vgg_plots.recovery_experiment1(pd.read_csv(inputs[RECOVERY1]))
    if figure == "fig22_recovery_experiment2":
        return vgg_plots.recovery_experiment2(pd.read_csv(inputs[RECOVERY2]))
    table = read_table(inputs[TABLE])
    if figure == "fig14_vgg_layer_drops":
        return vgg_plots.layer_drops(table)
    if figure == "fig15_vgg_ratio_curves":
        return vgg_plots.ratio_curves(table)
    if figure == "fig16_vgg_grouping_comparison":
        return vgg_plots.grouping_comparison(table)
    names = pd.read_csv(inputs[CLASSES]).sort_values("class").name.astype(str).tolist()
    if figure == "fig17_vgg_class_heatmap":
        return vgg_plots.class_drop_heatmap(table, names)
    if figure in CLASS_LAYER_OF:
        return vgg_plots.class_drops(table, class_layers[CLASS_LAYER_OF[figure]], names)
    raise KeyError(f"unknown figure '{figure}'; known: {', '.join(VGG_FIGURES)}")


def make(figure: str, inputs: dict[str, str], class_layers: list[str], output: str, metadata: str) -> None:
    plots.save(_draw(figure, inputs, class_layers), output, metadata)

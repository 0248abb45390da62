"""The VGG study's figures: one drawing function per figure id, of the same name, reading the study's result files.

`VGG_FIGURES` maps each id to the paper figure it reproduces (`fig14_` ... `fig22_`, numbered as in the paper) or to
none (`extra_`), the result files it reads and its report category, as `ablation.figures.FIGURES` does for MNIST.
The paper's figures show the first ablation semantics swept (`vgg.ablation.semantics`; the paper's `literal`).
"""

from __future__ import annotations

import pandas as pd

from ablation import plots, vgg_plots, vgg_statistics
from ablation.figures import FigureSpec
from ablation.outcomes import read_table

TABLE, CLASSES, CHANGES, SELECTIVITY = "table", "classes", "class_changes", "selectivity"
RECOVERY1, RECOVERY2 = "recovery1", "recovery2"
SWEEP, CLASS_VIEW, RECOVERY = "7 VGG19-BN: filter-group ablations", "8 VGG19-BN: classes", "9 VGG19-BN: recovery training"
EXTRA = "10 VGG19-BN: beyond the paper"
CROSSING_CLASSES = 6  # classes drawn as lines in Fig. 18
VGG_FIGURES = {
    "fig14_top5_drop_per_layer": FigureSpec("Fig. 14", (TABLE,), SWEEP),
    "fig15_top1_drop_per_layer": FigureSpec("Fig. 15", (TABLE,), SWEEP),
    "fig16_class_drops_first_layer": FigureSpec("Fig. 16", (TABLE, CLASSES, CHANGES), CLASS_VIEW),
    "fig17_class_drops_second_layer": FigureSpec("Fig. 17", (TABLE, CLASSES, CHANGES), CLASS_VIEW),
    "fig18_class_lines_across_layers": FigureSpec("Fig. 18", (TABLE, CLASSES), CLASS_VIEW),
    "fig19_recovery1_first_layer": FigureSpec("Fig. 19", (RECOVERY1,), RECOVERY),
    "fig20_recovery1_second_layer": FigureSpec("Fig. 20", (RECOVERY1,), RECOVERY),
    "fig21_recovery2_first_layer": FigureSpec("Fig. 21", (RECOVERY2,), RECOVERY),
    "fig22_recovery2_second_layer": FigureSpec("Fig. 22", (RECOVERY2,), RECOVERY),
    "extra_vgg_ratio_curves": FigureSpec(None, (TABLE,), EXTRA),
    "extra_vgg_grouping_comparison": FigureSpec(None, (TABLE,), EXTRA),
    "extra_vgg_class_heatmap": FigureSpec(None, (TABLE, CLASSES), EXTRA),
    "extra_vgg_class_selectivity": FigureSpec(None, (SELECTIVITY,), EXTRA),
    "extra_vgg_semantics": FigureSpec(None, (TABLE,), EXTRA),
}
# The figures of each recovery experiment, left out when the experiment is not run.
RECOVERY_FIGURES = {1: ("fig19_recovery1_first_layer", "fig20_recovery1_second_layer"),
                    2: ("fig21_recovery2_first_layer", "fig22_recovery2_second_layer")}


def _sweep(inputs: dict[str, str]) -> pd.DataFrame:
    """The sweep's rows under the first semantics."""
    return vgg_statistics.first_semantics(read_table(inputs[TABLE]))


def _names(inputs: dict[str, str]) -> list[str]:
    return pd.read_csv(inputs[CLASSES]).sort_values("class").name.astype(str).tolist()


def class_layers(table: pd.DataFrame, configured: list[str] | None) -> list[str]:
    """The layers of Figs. 16 and 17: as configured (the paper's 46 and 49 with vgg19_bn), else the two most
    important layers of the sweep, in network order."""
    return list(configured) if configured else vgg_statistics.most_important_layers(table)


def recovery_layers(recovery: pd.DataFrame) -> list[str]:
    """The layers an experiment retrained, in network order: Figs. 19/21 show the first, 20/22 the second."""
    return vgg_statistics.layer_order(recovery.layer)


def _class_figure(inputs: dict[str, str], configured: list[str] | None, position: int) -> plots.Figure:
    table = read_table(inputs[TABLE])
    changes = vgg_statistics.first_semantics(read_table(inputs[CHANGES]))
    layer = class_layers(table, configured)[position]
    return vgg_plots.class_drops(vgg_statistics.first_semantics(table), layer, _names(inputs), changes)


def fig14_top5_drop_per_layer(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return vgg_plots.layer_drops(_sweep(inputs), "top5")


def fig15_top1_drop_per_layer(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return vgg_plots.layer_drops(_sweep(inputs), "top1")


def fig16_class_drops_first_layer(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return _class_figure(inputs, configured, 0)


def fig17_class_drops_second_layer(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return _class_figure(inputs, configured, 1)


def fig18_class_lines_across_layers(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    table = _sweep(inputs)
    ratio = max(vgg_plots.paper_ratios(table.ratio[table.layer != vgg_statistics.INTACT]))
    classes = vgg_statistics.crossing_classes(table, ratio, CROSSING_CLASSES)
    return vgg_plots.class_lines(table, classes, _names(inputs))


def _recovery(path: str, position: int, draw) -> plots.Figure:
    recovery = pd.read_csv(path)
    return draw(recovery, recovery_layers(recovery)[position])


def fig19_recovery1_first_layer(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return _recovery(inputs[RECOVERY1], 0, vgg_plots.recovery_passes)


def fig20_recovery1_second_layer(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return _recovery(inputs[RECOVERY1], 1, vgg_plots.recovery_passes)


def fig21_recovery2_first_layer(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return _recovery(inputs[RECOVERY2], 0, vgg_plots.recovery_iterations)


def fig22_recovery2_second_layer(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return _recovery(inputs[RECOVERY2], 1, vgg_plots.recovery_iterations)


def extra_vgg_ratio_curves(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return vgg_plots.ratio_curves(_sweep(inputs))


def extra_vgg_grouping_comparison(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return vgg_plots.grouping_comparison(_sweep(inputs))


def extra_vgg_class_heatmap(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return vgg_plots.class_drop_heatmap(_sweep(inputs), _names(inputs))


def extra_vgg_class_selectivity(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return vgg_plots.class_selectivity(vgg_statistics.first_semantics(pd.read_csv(inputs[SELECTIVITY])))


def extra_vgg_semantics(inputs: dict[str, str], configured: list[str] | None) -> plots.Figure:
    return vgg_plots.semantics_comparison(read_table(inputs[TABLE]))


def make(figure: str, inputs: dict[str, str], configured: list[str] | None, output: str, metadata: str) -> None:
    """Draw `figure`; `configured`: vgg.figures.class_layers as the workflow resolved it (None: from the sweep)."""
    if figure not in VGG_FIGURES:
        raise KeyError(f"unknown figure '{figure}'; known: {', '.join(VGG_FIGURES)}")
    plots.save(globals()[figure](inputs, configured), output, metadata)

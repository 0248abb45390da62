"""The figures of the filter study on other models: one drawing function per figure id of
`ablation.models.registry`, of the same name, drawn with the VGG study's plots (`ablation.vgg.plots`) on the model's
table; its layers in the order of its units table (writers in graph order, then streams).
"""

from __future__ import annotations

import pandas as pd

from ablation.core import style
from ablation.core.tables import read_table
from ablation.models.registry import (
    FIGURES,
    RECOVERY1,
    RECOVERY2,
    SEMANTICS_RANKINGS,
    SHAPLEY_VALUES,
    TABLE,
    UNITS,
)
from ablation.vgg import plots, statistics
from ablation.vgg.architecture import use_order


def _first(inputs: dict[str, str]) -> pd.DataFrame:
    """The rows of the first semantics (the one the single-semantics figures show)."""
    table = read_table(inputs[TABLE])
    return statistics.of_semantics(table, str(table.semantics.iloc[0]))


def extra_model_top5_drop_per_layer(inputs: dict[str, str], metric: str) -> style.Figure:
    return plots.layer_drops(_first(inputs), "top5")


def extra_model_top1_drop_per_layer(inputs: dict[str, str], metric: str) -> style.Figure:
    return plots.layer_drops(_first(inputs), "top1")


def extra_model_ratio_curves(inputs: dict[str, str], metric: str) -> style.Figure:
    return plots.ratio_curves(_first(inputs), metric)


def extra_model_grouping_comparison(inputs: dict[str, str], metric: str) -> style.Figure:
    return plots.grouping_comparison(_first(inputs), metric)


def extra_model_semantics_by_layer(inputs: dict[str, str], metric: str) -> style.Figure:
    return plots.semantics_comparison(read_table(inputs[TABLE]), metric)


def extra_model_rankings_by_semantics(inputs: dict[str, str], metric: str) -> style.Figure:
    return plots.rankings_by_semantics(read_table(inputs[TABLE]), pd.read_csv(inputs[SEMANTICS_RANKINGS]), metric)


def extra_model_shapley(inputs: dict[str, str], metric: str) -> style.Figure:
    return plots.shapley_groups(pd.read_csv(inputs[SHAPLEY_VALUES]), metric)


def _recovery(path: str, position: int, draw, metric: str) -> style.Figure:
    """The first or second of the experiment's two layers in network order (the model's most important two)."""
    table = pd.read_csv(path)
    return draw(table, statistics.layer_order(table.layer)[position], metric)


def extra_model_recovery1_first_layer(inputs: dict[str, str], metric: str) -> style.Figure:
    return _recovery(inputs[RECOVERY1], 0, plots.recovery_passes, metric)


def extra_model_recovery1_second_layer(inputs: dict[str, str], metric: str) -> style.Figure:
    return _recovery(inputs[RECOVERY1], 1, plots.recovery_passes, metric)


def extra_model_recovery2_first_layer(inputs: dict[str, str], metric: str) -> style.Figure:
    return _recovery(inputs[RECOVERY2], 0, plots.recovery_iterations, metric)


def extra_model_recovery2_second_layer(inputs: dict[str, str], metric: str) -> style.Figure:
    return _recovery(inputs[RECOVERY2], 1, plots.recovery_iterations, metric)


def make(figure: str, *, inputs: dict[str, str], output: str, metadata: str, metric: str) -> None:
    """Draw `figure` with the function of that name, from `inputs` (the model's units table among them)."""
    if figure not in FIGURES:
        raise KeyError(f"unknown figure '{figure}'; known: {', '.join(FIGURES)}")
    use_order(pd.read_csv(inputs.pop(UNITS)).layer)
    style.save(globals()[figure](inputs, metric), output, metadata)

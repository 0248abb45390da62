"""The filter study on other models: the steps that only read and write tables, one per workflow rule and named as
it (the others: `ablation.models.steps`). Apart so that their jobs start without torch and torchvision."""

from __future__ import annotations

import pandas as pd

from ablation.core import tables
from ablation.core.tables import read_table
from ablation.vgg import statistics
from ablation.vgg.architecture import use_order


def model_sweep(*, parts: dict[str, list[str]], out_table: str) -> None:
    """A model's sweep parts joined into its one tidy table (`tables.join_parts`)."""
    with open(out_table, "w") as handle:
        handle.write(tables.join_parts(parts))


def model_statistics(*, table_path: str, units_path: str, metric: str, ranking_top: int, bootstrap_resamples: int,
                     seed: int, out_comparison: str, out_drops: str, out_rankings: str) -> None:
    """As the VGG study's (`statistics`): per semantics the grouping comparison; every drop with its paired interval;
    how each semantics ranks the layers and groups against the first."""
    use_order(pd.read_csv(units_path).layer)
    table = read_table(table_path)
    parts = [statistics.grouping_comparison(part, metric).assign(semantics=name)
             for name, part in statistics.by_semantics(table)]
    frame = pd.concat(parts, ignore_index=True)
    frame[["semantics", *frame.columns[:-1]]].to_csv(out_comparison, index=False, float_format="%.4f")
    statistics.drop_intervals(table).to_csv(out_drops, index=False, float_format="%.6g")
    statistics.semantics_rankings(table, metric, ranking_top, bootstrap_resamples, seed).to_csv(
        out_rankings, index=False, float_format="%.4f")

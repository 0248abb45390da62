"""The VGG study's steps that only read and write tables, one per workflow rule and named as it (the others:
`ablation.vgg.steps`). Apart so that their jobs start without torch and torchvision (two seconds each)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ablation.core.tables import read_table
from ablation.vgg import choices, statistics


def vgg_statistics(*, table_path: str, alpha: float, metric: str, ranking_top: int, bootstrap_resamples: int,
                   seed: int, out_comparison: str, out_selectivity: str, out_changes: str, out_drops: str,
                   out_rankings: str) -> None:
    """Per semantics: the grouping comparison, class selectivity, and every class change tested (McNemar, FDR), on
    `metric` (the leading one); every drop with its paired interval, on both metrics; how each semantics ranks the
    layers and groups against the first (`statistics.semantics_rankings`)."""
    table = read_table(table_path)
    statistics.semantics_rankings(table, metric, ranking_top, bootstrap_resamples, seed).to_csv(
        out_rankings, index=False, float_format="%.4f")
    for function, path in ((statistics.grouping_comparison, out_comparison),
                           (statistics.class_selectivity, out_selectivity)):
        parts = [function(part, metric).assign(semantics=name) for name, part in statistics.by_semantics(table)]
        frame = pd.concat(parts, ignore_index=True)
        frame[["semantics", *frame.columns[:-1]]].to_csv(path, index=False, float_format="%.4f")
    statistics.class_changes(table, alpha, metric).to_csv(out_changes, index=False, float_format="%.6g")
    statistics.drop_intervals(table).to_csv(out_drops, index=False, float_format="%.6g")


def vgg_choices(*, settings: choices.Settings, table_path: str | None, out_path: str) -> None:
    """The study's choices (`ablation.vgg.choices`), from the config and, where one is left to it, the sweep."""
    choices.choose(settings, read_table(table_path) if table_path else None).write(out_path)


def vgg_recovery_gaps(*, experiment_paths: list[str], out_path: str) -> None:
    """Every recovery experiment's gaps to the intact network with their intervals (`statistics.recovery_gaps`)."""
    frames = [statistics.recovery_gaps(pd.read_csv(path)) for path in experiment_paths]
    pd.concat(frames, ignore_index=True).to_csv(out_path, index=False, float_format="%.6g")


def vgg_recovery_table(*, parts: list[str], out_table: str) -> None:
    """Tables of the same columns joined as text, in the order given: byte for byte one table."""
    lines: list[str] = []
    for path in parts:
        header, *rows = Path(path).read_text().splitlines(keepends=True)
        if lines and header != lines[0]:
            raise ValueError(f"{path} has other columns than {parts[0]}")
        lines += [header] * (not lines) + rows
    Path(out_table).write_text("".join(lines))

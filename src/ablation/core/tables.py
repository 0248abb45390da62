"""The tidy result tables both studies write: one row per (network, ablation, class), `all` for every class.

The intact network's rows carry `INTACT` in the ablation columns (MNIST: `layer`, `units`; VGG: `layer`,
`grouping`), so that a drop is always intact minus ablated within one table.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

INTACT = "none"


def hits(accuracy: pd.Series | np.ndarray, items: pd.Series | np.ndarray) -> np.ndarray:
    """Test items right, recovered exactly from a table's percentages: written to 4 decimals, a percentage moves a
    count by at most 5e-7 x items, far below 0.5 for any test set under a million items."""
    return np.rint(np.asarray(accuracy, dtype=float) * np.asarray(items) / 100.0).astype(np.int64)


def read_table(path: str | Path) -> pd.DataFrame:
    """A tidy result table (MNIST or VGG) with `unit`, `units` and `class` kept as text (`12`, `5+10`, `all`, `3`)."""
    return pd.read_csv(path, dtype={"class": str, "units": str, "unit": str})


def split_intact(path: str | Path) -> tuple[str, list[str], list[str]]:
    """A table file's header line, its intact network's lines (`layer` is INTACT) and the others, as text."""
    with open(path, newline="") as handle:
        header, *rows = handle.readlines()
    layer = next(csv.reader([header])).index("layer")
    is_intact = [fields[layer] == INTACT for fields in csv.reader(rows)]
    return (header, [row for row, flag in zip(rows, is_intact) if flag],
            [row for row, flag in zip(rows, is_intact) if not flag])


def join_parts(parts: dict[str, list[str]]) -> str:
    """A sweep's part files (per semantics, one per layer in network order) as one tidy table's text: per semantics
    the intact network's rows once, then every layer's ablations, byte for byte what one job computing everything
    would write. The parts' intact rows must agree."""
    lines: list[str] = []
    for semantics, paths in parts.items():
        header, intact, ablated = split_intact(paths[0])
        lines += [header] * (not lines) + intact + ablated
        for path in paths[1:]:
            other_header, other_intact, other_ablated = split_intact(path)
            if (other_header, other_intact) != (header, intact):
                raise ValueError(f"the intact rows of {path} differ from those of {paths[0]} ({semantics}): the parts "
                                 "were not computed on the same network and images")
            lines += other_ablated
    return "".join(lines)

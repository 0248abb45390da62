"""Shapley values of the MNIST network's hidden units, and interaction indices of their pairs (beyond the paper).

The game of a layer: its units are the players, a coalition's value is the test accuracy (overall and per class)
with exactly those units intact. A layer of at most `max_exact_units` units is evaluated under all 2^width lesion
sets (the first layer's 2^20 by `lesion_sets`, the second's 2^10 directly), exactly (`ablation.exact_predictions`:
no rounding decides a prediction), and its Shapley values and interaction indices follow; a wider one gets
Shapley values from sampled restoring orders, with standard errors. Every value is in accuracy percentage points,
on the test digits as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import combinations

import numpy as np
import pandas as pd
import torch

from ablation.core import shapley
from ablation.core.logs import Progress
from ablation.mnist.ablation import exact_predictions
from ablation.mnist.architecture import CLASSES, HIDDEN_LAYERS
from ablation.mnist.lesion_sets import LesionCounts, hidden1_counts
from ablation.mnist.statistics import mean_interval

CLASS_NAMES = ["all", *map(str, range(CLASSES))]


@dataclass(frozen=True)
class Settings:
    layers: list[str]
    max_exact_units: int
    permutations: int  # the most; fewer where every standard error reaches `target_standard_error`
    target_standard_error: float | None  # [%p]; None: always `permutations`
    seed: int
    device: str  # where all lesion sets of the first layer are evaluated: cpu (compiled kernel) or a GPU


@dataclass(frozen=True)
class Network:
    """What one network's games need: its first layer's output on the test items and its later weights."""

    h1: torch.Tensor  # (n, 20)
    fc2: torch.Tensor  # (10, 20)
    fc3: torch.Tensor  # (10, 10)
    labels: torch.Tensor  # (n,)

    def accuracy(self, layer: str, lesion_masks: np.ndarray) -> np.ndarray:
        """Percent right, (M, 1 + classes) overall then per class, under (M, width) bool lesion masks of `layer`,
        evaluated directly and exactly."""
        return self._counts(layer, lesion_masks).accuracy().T

    def _counts(self, layer: str, lesion_masks: np.ndarray) -> LesionCounts:
        """Items right per class under each lesion mask of `layer` (`exact_predictions`)."""
        keep = torch.from_numpy(~lesion_masks).float()
        ones = [torch.ones(len(keep), width) for width, _ in HIDDEN_LAYERS.values()]
        mask1, mask2 = (keep, ones[1]) if layer == "hidden1" else (ones[0], keep)
        right = (exact_predictions(self.fc2, self.fc3, self.h1, mask1, mask2) == self.labels).numpy()
        labels = self.labels.numpy()
        counts = np.stack([right[:, labels == c].sum(1) for c in range(CLASSES)]).astype(np.int64)
        return LesionCounts(counts, np.bincount(labels, minlength=CLASSES), 0)

    def all_lesion_sets(self, layer: str, device: str = "cpu",
                        done: Callable[[int], None] = lambda items: None) -> LesionCounts:
        """Items right per class under every lesion set of `layer`; `done(items)` as the first layer's progress."""
        if layer == "hidden1":
            return hidden1_counts(self.h1, self.fc2, self.fc3, self.labels, CLASSES, device, done=done)
        return self._counts(layer, shapley.lesion_bits(HIDDEN_LAYERS[layer][0]).astype(bool))


def _unit_rows(network: str, layer: str, values: np.ndarray, errors: np.ndarray, drops: np.ndarray,
               method: str) -> list[tuple]:
    return [(network, layer, str(unit + 1), CLASS_NAMES[c], float(values[c, unit]), float(errors[c, unit]),
             float(drops[c, unit]), method)
            for c in range(len(CLASS_NAMES)) for unit in range(values.shape[1])]


def _pair_rows(network: str, layer: str, accuracy: np.ndarray) -> list[tuple]:
    """Interaction index of every pair, beside the paper's pair interaction (pair drop minus the two single drops,
    the negated second difference at the full network: a redundant pair has index < 0 and excess > 0)."""
    width = HIDDEN_LAYERS[layer][0]
    index = shapley.exact_interactions(accuracy)
    rows = []
    for i, j in combinations(range(width), 2):
        excess = accuracy[:, (1 << i)] + accuracy[:, (1 << j)] - accuracy[:, (1 << i) | (1 << j)] - accuracy[:, 0]
        rows += [(network, layer, f"{i + 1}+{j + 1}", CLASS_NAMES[c], float(index[c, i, j]), float(excess[c]))
                 for c in range(len(CLASS_NAMES))]
    return rows


def games(name: str, network: Network, settings: Settings, progress: Progress | None = None
          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One network's Shapley values (beside each unit's single drop), interaction indices (exact layers only)
    and a summary of each game (its two ends, how many lesion sets were evaluated, how many rechecked).
    `progress` (in networks) advances by one over the call: a share per layer, the first layer's tile by tile."""
    values, interactions, summary = [], [], []
    start = progress.done if progress is not None else 0.0
    share = 1 / len(settings.layers)
    items = len(network.labels)

    def done(count: int) -> None:
        if progress is not None:
            progress.advance(share * count / items)

    for index, layer in enumerate(settings.layers):
        width = HIDDEN_LAYERS[layer][0]
        if width <= settings.max_exact_units:
            lesioned = network.all_lesion_sets(layer, settings.device, done)
            accuracy = lesioned.accuracy()
            drops = accuracy[:, :1] - accuracy[:, 1 << np.arange(width)]
            values += _unit_rows(name, layer, shapley.exact_values(accuracy), np.zeros_like(drops), drops, "exact")
            interactions += _pair_rows(name, layer, accuracy)
            ends, evaluated, rechecked = accuracy[:, [0, -1]].T, 2**width, lesioned.rechecked
        else:
            estimate = shapley.sample_values(partial(network.accuracy, layer), width, settings.permutations,
                                             settings.seed, target_standard_error=settings.target_standard_error)
            ends = network.accuracy(layer, np.array([[False] * width, [True] * width]))
            drops = ends[0][:, None] - network.accuracy(layer, np.eye(width, dtype=bool)).T
            values += _unit_rows(name, layer, estimate.values, estimate.standard_errors, drops, "sampled")
            evaluated, rechecked = estimate.permutations * (width + 1), 0
        summary += [(name, layer, CLASS_NAMES[c], float(ends[0][c]), float(ends[1][c]), evaluated, rechecked)
                    for c in range(len(CLASS_NAMES))]
        if progress is not None:  # the layer's share in full (exactly: no sum of fractions that misses the total)
            progress.update(start + (index + 1) * share if index + 1 < len(settings.layers) else start + 1)
    return (
        pd.DataFrame(values, columns=["network", "layer", "unit", "class", "value", "standard_error", "single_drop",
                                      "method"]),
        pd.DataFrame(interactions, columns=["network", "layer", "units", "class", "value", "pair_excess"]),
        pd.DataFrame(summary, columns=["network", "layer", "class", "intact", "all_lesioned", "lesion_sets",
                                       "rechecked"]),
    )


# What the report compares, per network and layer (Spearman's rho on the overall accuracy): x, y, the table.
COMPARISONS = {
    "shapley_vs_single_drop": ("single_drop", "value"),
    "shapley_vs_weight_change_p": ("p", "value"),
    "single_drop_vs_weight_change_p": ("p", "single_drop"),
    "shapley_minus_drop_vs_interactions": ("interactions", "beyond_drop"),
    "interaction_vs_pair_excess": ("pair_excess", "value"),
}


def correlations(values: pd.DataFrame, interactions: pd.DataFrame, mwu: pd.DataFrame, resamples: int,
                 seed: int) -> pd.DataFrame:
    """Spearman's rho per network and layer of each pair in COMPARISONS, and over the networks (network `mean`)
    the mean rho with a 95 % BCa bootstrap interval. `mwu`: the Mann-Whitney table of `statistics.mann_whitney`."""
    units = values[values["class"] == "all"].merge(mwu.rename(columns={"units": "unit"}),
                                                   on=["network", "layer", "unit"])
    units["beyond_drop"] = units.value - units.single_drop
    pairs = interactions[interactions["class"] == "all"]
    if len(pairs):
        ends = pairs.units.str.split("+", expand=True)
        summed = pd.concat([pairs.assign(unit=ends[0]), pairs.assign(unit=ends[1])])
        summed = summed.groupby(["network", "layer", "unit"], as_index=False)["value"].sum()
        units = units.merge(summed.rename(columns={"value": "interactions"}), on=["network", "layer", "unit"],
                            how="left")
    rows = []
    for comparison, (x, y) in COMPARISONS.items():
        table = pairs if comparison.startswith("interaction_vs") else units
        if x not in table or y not in table:
            continue
        for (layer, network), part in table.dropna(subset=[x, y]).groupby(["layer", "network"], sort=False):
            rho = pd.Series(part[x].to_numpy()).corr(pd.Series(part[y].to_numpy()), method="spearman")
            rows.append((comparison, layer, network, float(rho), np.nan, np.nan, len(part)))
    frame = pd.DataFrame(rows, columns=["comparison", "layer", "network", "spearman", "ci_low", "ci_high", "n"])
    summary = []
    for (comparison, layer), part in frame.groupby(["comparison", "layer"], sort=False):
        mean, low, high = mean_interval(part.spearman.dropna().to_numpy(), resamples, seed)
        summary.append((comparison, layer, "mean", mean, low, high, len(part)))
    return pd.concat([pd.DataFrame(summary, columns=frame.columns), frame], ignore_index=True)

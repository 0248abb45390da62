"""Ablations of hidden units, and the record of which test items each ablated network gets right.

`Outcomes` is the one source of every derived result (accuracies per class, newly wrong or newly right items,
pair-only errors), so nothing needs a second pass over the networks. Free of torch, so plotting stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from ablation.core.tables import INTACT
from ablation.mnist.architecture import CLASSES, HIDDEN_LAYERS

# How test items are evaluated (mnist.analysis.evaluation; see unit_ablation): on the original digits, or as published.
EVALUATIONS = ("clean", "as_published")


@dataclass(frozen=True)
class Ablation:
    layer: str  # "none" for the intact network, else a key of HIDDEN_LAYERS
    units: tuple[int, ...]  # 0-based

    @classmethod
    def parse(cls, layer: str, label: str) -> Ablation:
        """The inverse of `label`: `none`, `12`, `6+11+13+18` (1-based)."""
        return cls(layer, () if label == INTACT else tuple(int(unit) - 1 for unit in label.split("+")))

    @property
    def label(self) -> str:
        """The paper's 1-based naming: `none`, `12`, `5+10`."""
        return "+".join(str(unit + 1) for unit in self.units) if self.units else INTACT


def plan(pairs_in: tuple[str, ...] = ("hidden1",)) -> list[Ablation]:
    """The intact network, every single unit of every hidden layer, and all pairs in the layers named."""
    ablations = [Ablation(INTACT, ())]
    for layer, (width, _) in HIDDEN_LAYERS.items():
        ablations += [Ablation(layer, (unit,)) for unit in range(width)]
        if layer in pairs_in:
            ablations += [Ablation(layer, pair) for pair in combinations(range(width), 2)]
    return ablations


@dataclass
class Outcomes:
    """Which test item each network gets right under each ablation: the source of every derived result."""

    networks: list[str]
    ablations: list[Ablation]
    labels: np.ndarray  # (n,) test labels
    correct: np.ndarray  # (N, M, n) bool

    def index(self, ablation: Ablation) -> int:
        return self.ablations.index(ablation)

    def of_networks(self, names: list[str]) -> Outcomes:
        """The outcomes of the networks `names` only."""
        chosen = [self.networks.index(name) for name in names]
        return Outcomes(list(names), self.ablations, self.labels, self.correct[chosen])

    def newly_wrong(self, network: int, ablation: Ablation) -> np.ndarray:
        intact = self.correct[network, 0]
        return intact & ~self.correct[network, self.index(ablation)]

    def newly_right(self, network: int, ablation: Ablation) -> np.ndarray:
        return ~self.correct[network, 0] & self.correct[network, self.index(ablation)]

    def pair_only_wrong(self, network: int, pair: Ablation) -> np.ndarray:
        """Items the pair gets wrong that the intact network and each single ablation get right."""
        singles = [self.correct[network, self.index(Ablation(pair.layer, (unit,)))] for unit in pair.units]
        return self.newly_wrong(network, pair) & np.logical_and.reduce(singles)

    def save(self, path: str | Path, metadata: dict[str, object]) -> None:
        np.savez_compressed(
            path,
            correct=np.packbits(self.correct, axis=-1),
            items=np.int64(self.correct.shape[-1]),
            labels=self.labels,
            networks=np.array(self.networks),
            layers=np.array([a.layer for a in self.ablations]),
            units=np.array([a.label for a in self.ablations]),
            metadata=np.array(repr(metadata)),
        )

    @classmethod
    def load(cls, path: str | Path) -> Outcomes:
        with np.load(path, allow_pickle=False) as saved:
            correct = np.unpackbits(saved["correct"], axis=-1, count=int(saved["items"])).astype(bool)
            ablations = [Ablation.parse(str(layer), str(label))
                         for layer, label in zip(saved["layers"], saved["units"])]
            return cls([str(n) for n in saved["networks"]], ablations, saved["labels"], correct)


ROWS_PER_PRODUCT = 512  # (network, ablation) rows per block of `accuracy_table`: 20 MB of float32 on 10,000 items


def accuracy_table(outcomes: Outcomes) -> pd.DataFrame:
    """Tidy accuracies: network, layer, units, class (`all` or 0-9), items, accuracy (percent); rows by network,
    then class, then ablation."""
    present = [c for c in range(CLASSES) if (outcomes.labels == c).any()]
    names = ["all", *map(str, present)]
    members = np.stack([np.ones(len(outcomes.labels), dtype=bool), *(outcomes.labels == c for c in present)], 1)
    items = members.sum(0)
    n_networks, n_ablations, n = outcomes.correct.shape
    # Every group's count of right items by a matrix product, exact: each count is an integer below 2^24. In blocks of
    # rows, so that the float copy stays small (all of a paper-scale study's outcomes would take 186 MB).
    right, weights = outcomes.correct.reshape(-1, n).view(np.uint8), members.astype(np.float32)
    counts = np.concatenate([right[start : start + ROWS_PER_PRODUCT].astype(np.float32) @ weights
                             for start in range(0, max(len(right), 1), ROWS_PER_PRODUCT)])
    accuracy = 100.0 * (counts.astype(np.int64) / items)  # what correct[..., group].mean(-1) gives: count / items
    accuracy = accuracy.reshape(n_networks, n_ablations, -1).transpose(0, 2, 1)
    rows = n_networks * len(names)
    return pd.DataFrame({
        "network": np.repeat(outcomes.networks, len(names) * n_ablations),
        "layer": [a.layer for a in outcomes.ablations] * rows,
        "units": [a.label for a in outcomes.ablations] * rows,
        "class": np.tile(np.repeat(names, n_ablations), n_networks),
        "items": np.tile(np.repeat(items, n_ablations), n_networks),
        "accuracy": accuracy.reshape(-1),
    })


def drops(table: pd.DataFrame) -> pd.DataFrame:
    """Accuracy drop (intact minus ablated, percentage points) for every ablation row of the table."""
    intact = table[table.units == INTACT].set_index(["network", "class"]).accuracy.rename("intact")
    ablated = table[table.units != INTACT].join(intact, on=["network", "class"])
    return ablated.assign(drop=ablated.intact - ablated.accuracy)

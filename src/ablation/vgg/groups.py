"""Which filters of a conv layer an ablation removes: groups of similar filters, random groups, smallest L1 norm.

`similarity` (the paper's grouping), exactly: every filter's weights (in_channels x 3 x 3) are flattened and
scaled to unit L2 norm; a group of size n is a seed filter plus the n - 1 filters nearest to it by Euclidean
distance between these normalised vectors (ties broken by filter index). Each group has its own seed filter,
drawn at random without replacement, so the groups of one ratio start from different filters.
`random`: n filters drawn uniformly without replacement. `l1`: the n filters with the smallest L1 norm of
their weights (deterministic: one group per ratio).
The group size is round(ratio x filters), at least 1. Seeds derive from (seed, layer, grouping, ratio), so a
group does not change when other layers, groupings or ratios are added to the config.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import torch

GROUPINGS = ("similarity", "random", "l1")


@dataclass(frozen=True)
class FilterAblation:
    layer: str  # torchvision name of the conv layer, e.g. features.33
    grouping: str
    ratio: float
    group: int
    filters: tuple[int, ...]  # 0-based filter (output channel) indices


def group_size(ratio: float, filters: int) -> int:
    return max(1, round(ratio * filters))


def _rng(seed: int, layer: str, grouping: str, ratio: float) -> np.random.Generator:
    key = zlib.crc32(f"{layer}/{grouping}/{ratio!r}".encode())
    return np.random.default_rng([seed, key])


def normalised_filters(weight: torch.Tensor) -> torch.Tensor:
    """(out, in, kh, kw) -> (out, in*kh*kw), each row of unit L2 norm (an all-zero filter stays zero)."""
    flat = weight.detach().double().flatten(1)
    return flat / flat.norm(dim=1, keepdim=True).clamp_min(1e-12)


def similarity_groups(weight: torch.Tensor, size: int, count: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    vectors = normalised_filters(weight)
    distances = torch.cdist(vectors, vectors).numpy()
    seeds = rng.permutation(len(vectors))[:count]
    # Stable sort on (distance, index): the seed itself comes first (distance 0).
    return [tuple(sorted(int(i) for i in np.lexsort((np.arange(len(vectors)), distances[seed]))[:size]))
            for seed in seeds]


def random_groups(filters: int, size: int, count: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    return [tuple(sorted(int(i) for i in rng.choice(filters, size, replace=False))) for _ in range(count)]


def l1_group(weight: torch.Tensor, size: int) -> tuple[int, ...]:
    norms = weight.detach().double().flatten(1).abs().sum(dim=1).numpy()
    return tuple(sorted(int(i) for i in np.argsort(norms, kind="stable")[:size]))


def plan(conv_weights: dict[str, torch.Tensor], ratios: list[float], groupings: list[str], groups_per_ratio: int,
         seed: int) -> list[FilterAblation]:
    """Every filter-group ablation of the sweep, layer by layer in the order of `conv_weights`."""
    ablations = []
    for layer, weight in conv_weights.items():
        for grouping in groupings:
            for ratio in ratios:
                size, rng = group_size(ratio, len(weight)), _rng(seed, layer, grouping, ratio)
                if grouping == "similarity":
                    groups = similarity_groups(weight, size, groups_per_ratio, rng)
                elif grouping == "random":
                    groups = random_groups(len(weight), size, groups_per_ratio, rng)
                elif grouping == "l1":
                    groups = [l1_group(weight, size)]
                else:
                    raise ValueError(f"unknown grouping '{grouping}'; known: {', '.join(GROUPINGS)}")
                ablations += [FilterAblation(layer, grouping, ratio, g, filters) for g, filters in enumerate(groups)]
    return ablations

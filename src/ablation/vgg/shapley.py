"""Shapley values of groups of a VGG layer's filters (beyond the paper), from sampled orders on the branching engine.

The players partition the layer's filters into `groups` groups of similar filters: the paper's similarity rule
(filter weights normalised to unit length, Euclidean distance) applied greedily without replacement. A seed filter
drawn at random among those not yet grouped takes its nearest ungrouped filters, until every filter is in a group
(sizes differ by at most one). The sweep's groups overlap; these do not, so every filter belongs to one player.
A coalition's value is the top-1 and top-5 accuracy with every other group ablated (under one semantics). With
2^groups coalitions per layer (2^16 by default), too many to evaluate on a big network, the values come from
sampled restoring orders, each one a chain of groups + 1 ablations that the engine evaluates as branches of one
intact pass. A layer with few players (8 filters, 2^8 = 256 coalitions) has fewer coalitions than the orders would
evaluate (`permutations` x players): its values are exact, from every coalition, with standard error 0.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from ablation.core import shapley
from ablation.core.logs import Progress
from ablation.vgg.ablation import Counts, sweep
from ablation.vgg.groups import FilterAblation, normalised_filters
from ablation.vgg.images import ImageSet
from ablation.vgg.network import conv

log = logging.getLogger("ablation")
METRICS = ("top1", "top5")


@dataclass(frozen=True)
class Settings:
    groups: int
    permutations: int  # the most; fewer where every standard error reaches `target_standard_error`
    target_standard_error: float | None  # [%p]; None: always `permutations`
    seed: int
    semantics: str
    batch_size: int
    branch_images: int
    precision: str
    device: str


def partition(weight: torch.Tensor, groups: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """The layer's filters in `groups` disjoint groups of similar filters (see the module docstring)."""
    vectors = normalised_filters(weight)
    filters = len(vectors)
    if not 1 <= groups <= filters:
        raise ValueError(f"cannot split {filters} filters into {groups} groups; use 1 to {filters}")
    distances = torch.cdist(vectors, vectors).numpy()
    ungrouped = np.ones(filters, dtype=bool)
    result = []
    for size in np.diff(np.linspace(0, filters, groups + 1).round().astype(int)):
        seed = rng.choice(np.flatnonzero(ungrouped))
        nearest = [int(i) for i in np.lexsort((np.arange(filters), distances[seed])) if ungrouped[i]][:size]
        ungrouped[nearest] = False
        result.append(tuple(sorted(nearest)))
    return result


def _rng(seed: int, layer: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(f"{layer}/shapley".encode())])


Sweep = Callable[[list[FilterAblation], Progress], Counts]  # the counts of ablations, on the study's images


def layer_values(network: nn.Module, images: ImageSet, layer: str, settings: Settings) -> pd.DataFrame:
    """Shapley values of the VGG layer's filter groups for top-1 and top-5 accuracy, with standard errors,
    and each group's single-ablation drop."""

    def evaluate(ablations: list[FilterAblation], progress: Progress) -> Counts:
        return sweep(network, images, ablations, settings.semantics, batch_size=settings.batch_size,
                     branch_images=settings.branch_images, precision=settings.precision, device=settings.device,
                     progress=progress)

    return group_values(conv(network, layer).weight, evaluate, len(images), layer, settings)


def group_values(weight: torch.Tensor, evaluate: Sweep, images: int, layer: str, settings: Settings) -> pd.DataFrame:
    """Shapley values (sampled, or exact for few players) of the groups of `layer`'s units (`weight`: what
    similarity compares, one row per unit), each coalition's accuracy counted by `evaluate` (any model's engine) on
    `images` images."""
    if settings.groups > len(weight):
        log.warning("%s has %d units, fewer than the Shapley groups (%d): each unit is a player", layer,
                    len(weight), settings.groups)
    players = partition(weight, min(settings.groups, len(weight)), _rng(settings.seed, layer))

    def accuracy(masks: np.ndarray, what: str) -> np.ndarray:
        """(k, 2) top-1 and top-5 accuracy [%] with the groups of each lesion mask (k, groups) ablated."""
        ablations = [FilterAblation(layer, "shapley", 0.0, row,
                                    tuple(sorted(f for g in np.flatnonzero(mask) for f in players[g])))
                     for row, mask in enumerate(masks)]
        # One report per sweep over the images: the sampled orders' lesion sets (in chunks of 4,096), the singles.
        counts = evaluate(ablations, Progress(images, f"Shapley values of {layer}: {what} ({len(ablations)} lesion "
                                                      "sets)", "images"))
        total = float(counts.images.sum())
        return 100.0 * torch.stack([counts.top1[1:].sum(1), counts.top5[1:].sum(1)], 1).double().numpy() / total

    if 2 ** len(players) < settings.permutations * len(players):
        every = shapley.lesion_bits(len(players)).astype(bool)
        estimate = shapley.Estimate(shapley.exact_values(accuracy(every, "every coalition").T),
                                    np.zeros((len(METRICS), len(players))), shapley.EXACT)
    else:
        estimate = shapley.sample_values(lambda masks: accuracy(masks, "sampled orders"), len(players),
                                         settings.permutations, settings.seed,
                                         target_standard_error=settings.target_standard_error)
    singles = accuracy(np.vstack([np.zeros((1, len(players)), bool), np.eye(len(players), dtype=bool)]),
                       "each group alone")
    drops = singles[0] - singles[1:]  # (groups, 2): intact minus each group ablated alone
    return pd.DataFrame([
        (settings.semantics, layer, group + 1, " ".join(map(str, players[group])), metric,
         float(estimate.values[m, group]), float(estimate.standard_errors[m, group]), float(drops[group, m]),
         estimate.permutations)
        for m, metric in enumerate(METRICS) for group in range(len(players))
    ], columns=["semantics", "layer", "group", "filters", "metric", "value", "standard_error", "single_drop",
                "permutations"])

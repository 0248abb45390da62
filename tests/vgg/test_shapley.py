"""Shapley values of filter groups: the similarity partition, and the sampled values on the branching engine."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from ablation.core import shapley as core_shapley
from ablation.vgg import shapley
from ablation.vgg.ablation import plain_sweep
from ablation.vgg.groups import FilterAblation
from ablation.vgg.network import conv


def test_partition_covers_every_filter_once_and_keeps_similar_filters_together():
    # Four clusters of five nearly identical filters (shuffled): four groups must be exactly the clusters.
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(4, 3, 3, 3, generator=generator)
    weight = centres.repeat_interleave(5, 0) + 1e-3 * torch.randn(20, 3, 3, 3, generator=generator)
    shuffle = torch.randperm(20, generator=generator)
    weight, cluster = weight[shuffle], torch.arange(4).repeat_interleave(5)[shuffle]
    groups = shapley.partition(weight, 4, np.random.default_rng(0))
    assert sorted(f for group in groups for f in group) == list(range(20))
    assert sorted(len({int(cluster[f]) for f in group}) for group in groups) == [1, 1, 1, 1]
    uneven = shapley.partition(weight, 6, np.random.default_rng(1))
    assert sorted(f for group in uneven for f in group) == list(range(20))
    assert {len(group) for group in uneven} == {3, 4}
    with pytest.raises(ValueError, match="cannot split 20 filters into 21 groups"):
        shapley.partition(weight, 21, np.random.default_rng(0))


def test_sampled_values_add_up_and_single_drops_match_plain_evaluation(trained, digits):
    layer = "features.46"
    settings = shapley.Settings(groups=8, permutations=6, target_standard_error=None, seed=0, semantics="activation",
                                batch_size=48, branch_images=96, precision="float32", device="cpu")
    values = shapley.layer_values(trained, digits, layer, settings)
    assert len(values) == 2 * 8 and set(values.metric) == {"top1", "top5"}
    filters = [tuple(map(int, text.split())) for text in values[values.metric == "top1"].filters]
    assert sorted(f for group in filters for f in group) == list(range(conv(trained, layer).out_channels))
    # Every sampled order restores the groups from all ablated to intact: its contributions add up to the difference.
    everything = [FilterAblation(layer, "shapley", 0.0, 0, tuple(range(conv(trained, layer).out_channels)))]
    singles = [FilterAblation(layer, "shapley", 0.0, g, group) for g, group in enumerate(filters)]
    plain = plain_sweep(trained, digits, everything + singles, "activation", batch_size=48, precision="float32")
    intact, ablated = plain.accuracy(0), plain.accuracy(1)
    for m, metric in enumerate(shapley.METRICS):
        part = values[values.metric == metric]
        assert part.value.sum() == pytest.approx(intact[m] - ablated[m], abs=1e-9)
        drops = [intact[m] - plain.accuracy(row)[m] for row in range(2, 2 + len(filters))]
        assert np.allclose(part.single_drop, drops)
        assert (part.standard_error >= 0).all() and part.standard_error.max() > 0
    again = shapley.layer_values(trained, digits, layer, settings)
    assert again.equals(values)


def test_few_groups_get_exact_values_from_every_coalition(trained, digits):
    # 4 groups: 2^4 = 16 coalitions, fewer than 6 orders x 4 groups would evaluate, so the values are exact.
    layer = "features.46"
    settings = shapley.Settings(groups=4, permutations=6, target_standard_error=None, seed=0, semantics="activation",
                                batch_size=48, branch_images=96, precision="float32", device="cpu")
    values = shapley.layer_values(trained, digits, layer, settings)
    assert (values.permutations == core_shapley.EXACT).all() and (values.standard_error == 0).all()
    groups = [tuple(map(int, text.split())) for text in values[values.metric == "top1"].filters]
    masks = core_shapley.lesion_bits(4).astype(bool)
    coalitions = [FilterAblation(layer, "shapley", 0.0, row, tuple(f for g in np.flatnonzero(mask) for f in groups[g]))
                  for row, mask in enumerate(masks)]
    plain = plain_sweep(trained, digits, coalitions, "activation", batch_size=48, precision="float32")
    accuracy = np.array([plain.accuracy(1 + row) for row in range(len(masks))])  # (16, 2); row 0 of plain: intact
    # Brute force: each group's marginal contribution averaged over all 4! restoring orders.
    expected = np.zeros((2, 4))
    for order in itertools.permutations(range(4)):
        lesioned = (1 << 4) - 1
        for group in order:
            expected[:, group] += accuracy[lesioned & ~(1 << group)] - accuracy[lesioned]
            lesioned &= ~(1 << group)
    expected /= math.factorial(4)
    for m, metric in enumerate(shapley.METRICS):
        assert np.allclose(values[values.metric == metric].value, expected[m], atol=1e-9)

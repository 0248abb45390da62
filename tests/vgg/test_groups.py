"""Which filters an ablation removes: similarity groups, L1 groups, seeds."""

from __future__ import annotations

import numpy as np
import torch

from ablation.vgg import groups as filter_groups
from ablation.vgg import network as vgg
from ablation.vgg.architecture import CONV_LAYERS
from helpers import LAYER


def test_similarity_groups_are_nearest_normalised_filters():
    # Three clusters of four filters; within a cluster the filters are scaled copies plus a little noise, so
    # after normalisation they sit together whatever their norm.
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 8, 3, 3, generator=generator)
    weight = torch.cat([centres[c] * scale + 0.01 * torch.randn(8, 3, 3, generator=generator)
                        for c in range(3) for scale in (0.1, 1.0, 5.0, 20.0)]).view(12, 8, 3, 3)
    groups = filter_groups.similarity_groups(weight, 4, 3, np.random.default_rng(0))
    for group in groups:
        assert group in {(0, 1, 2, 3), (4, 5, 6, 7), (8, 9, 10, 11)}
    assert filter_groups.l1_group(weight, 3) == (0, 4, 8)  # the three smallest scales
    assert filter_groups.group_size(0.01, 64) == 1 and filter_groups.group_size(0.25, 64) == 16


def test_groups_are_seeded_per_layer_grouping_and_ratio(network):
    weights = {layer: network.features[vgg.features_index(layer)].weight for layer in CONV_LAYERS}
    some = filter_groups.plan({LAYER: weights[LAYER]}, [0.25], ["random", "similarity"], 3, seed=4)
    every = filter_groups.plan(weights, [0.1, 0.25], ["similarity", "random", "l1"], 3, seed=4)
    assert set(some) <= set(every)
    assert some == filter_groups.plan({LAYER: weights[LAYER]}, [0.25], ["random", "similarity"], 3, seed=4)
    assert some != filter_groups.plan({LAYER: weights[LAYER]}, [0.25], ["random", "similarity"], 3, seed=5)
    for ablation in every:
        size = filter_groups.group_size(ablation.ratio, len(weights[ablation.layer]))
        assert len(set(ablation.filters)) == len(ablation.filters) == size

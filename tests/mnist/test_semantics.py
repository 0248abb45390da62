"""What an ablated MNIST unit outputs under each semantics (`ablation.mnist.semantics`), and the engine against a
plain per-ablation forward pass for each."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ablation.core.semantics import derangement
from ablation.mnist import ablation as unit_ablation
from ablation.mnist import outcomes
from ablation.mnist.network import Stack, initial_weights, normalise
from ablation.mnist.outcomes import Ablation
from ablation.mnist.semantics import SEMANTICS, Semantics

TIE = 1e-5  # as test_ablation: predictions are compared where the two largest logits are farther apart


def _inputs(seed: int, items: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return normalise(torch.randint(0, 256, (items, 28, 28), dtype=torch.uint8, generator=generator))


@pytest.fixture(scope="module")
def stack() -> Stack:
    stack = initial_weights([0, 1])
    stack.fc1 *= 4  # sharper random networks: predictions spread over the classes
    return stack


def _plain_hidden(stack: Stack, network: int, x: torch.Tensor, ablation: Ablation,
                  replacement: tuple[torch.Tensor, torch.Tensor] | None) -> tuple[torch.Tensor, torch.Tensor]:
    """One network's hidden outputs with the ablated units' outputs overwritten, one layer after the other."""
    units = list(ablation.units)
    if replacement is not None:  # one value for every input (mean): the same for each
        replacement = tuple(r.expand(-1, len(x), -1) for r in replacement)  # type: ignore[assignment]
    h1 = torch.relu(x @ stack.fc1[network].T)
    if ablation.layer == "hidden1":
        h1[:, units] = 0.0 if replacement is None else replacement[0][network][:, units]
    h2 = torch.relu(h1 @ stack.fc2[network].T)
    if ablation.layer == "hidden2":
        h2[:, units] = 0.0 if replacement is None else replacement[1][network][:, units]
    return h1, h2


def test_the_derangement_pairs_every_item_with_another_and_is_seeded():
    for items in (2, 3, 10, 1000):
        partner = derangement(items, seed=4)
        assert sorted(partner) == list(range(items)) and (partner != np.arange(items)).all()
    assert np.array_equal(derangement(50, 1), derangement(50, 1)) and not np.array_equal(derangement(50, 1),
                                                                                        derangement(50, 2))
    with pytest.raises(ValueError, match="at least 2"):
        derangement(1, 0)


def test_mean_is_the_held_out_mean_and_resample_the_partners_activation(stack):
    held_out, x = _inputs(1, 300), _inputs(2, 50)
    mean = Semantics.of("mean", stack, held_out, seed=0)
    r1, r2 = mean.replacements(stack, x)
    h1_held, h2_held = stack.hidden(held_out)
    # Every input gets the same value (one, broadcast): the held-out mean, not anything of the input itself.
    assert r1.shape == (2, 1, 20) and r2.shape == (2, 1, 10)
    assert torch.allclose(r1, h1_held.mean(1, keepdim=True)) and torch.allclose(r2, h2_held.mean(1, keepdim=True))
    resample = Semantics.of("resample", stack, held_out, seed=5)
    r1, r2 = resample.replacements(stack, x)
    partner = derangement(len(x), 5)
    h1, h2 = stack.hidden(x)
    assert torch.equal(r1, h1[:, partner]) and torch.equal(r2, h2[:, partner])
    assert Semantics.of("zero", stack, held_out, seed=0).replacements(stack, x) is None


def test_the_held_out_mean_comes_from_the_held_out_digits_only(stack):
    """The mean depends on the held-out digits and not at all on the evaluated ones."""
    held_out = _inputs(1, 300)
    mean = Semantics.of("mean", stack, held_out, seed=0)
    first, second = mean.replacements(stack, _inputs(2, 20)), mean.replacements(stack, _inputs(3, 20))
    assert all(torch.equal(a, b) for a, b in zip(first, second))
    other = Semantics.of("mean", stack, _inputs(7, 300), seed=0).replacements(stack, _inputs(2, 20))
    assert not torch.equal(first[0], other[0])


@pytest.mark.parametrize("name", SEMANTICS)
def test_engine_equals_a_plain_forward_pass_per_ablation(stack, name):
    x = _inputs(2, 400)
    semantics = Semantics.of(name, stack, _inputs(1, 300), seed=0)
    replacement = semantics.replacements(stack, x)
    ablations = outcomes.plan() + [Ablation("hidden1", (5, 10, 12, 17)), Ablation("hidden2", (0, 3, 7))]
    predicted = unit_ablation.predictions(stack, x, ablations, semantics, tile=128)
    changed = 0
    for network in range(len(stack)):
        intact = predicted[network, 0]
        for m, ablation in enumerate(ablations):
            h1, h2 = _plain_hidden(stack, network, x, ablation, replacement)
            if ablation.units:
                layer = h1 if ablation.layer == "hidden1" else h2
                expected = (torch.zeros_like(layer[:, list(ablation.units)]) if replacement is None
                            else replacement[0 if ablation.layer == "hidden1" else 1][network][:, list(ablation.units)]
                            .expand_as(layer[:, list(ablation.units)]))
                assert torch.equal(layer[:, list(ablation.units)], expected)
            logits = h2 @ stack.fc3[network].T
            top = logits.topk(2, dim=-1).values
            decided = top[:, 0] - top[:, 1] > TIE
            assert torch.equal(predicted[network, m].long()[decided], logits.argmax(-1)[decided]), (name, ablation)
            changed += int((predicted[network, m] != intact).sum())
    assert changed > 0, "the ablations should change some predictions"


def test_zero_through_the_replacement_path_is_the_zero_path(stack):
    """The engine's replacement path with zero replacements gives the fold-in path's predictions exactly."""
    x = _inputs(2, 300)
    h1 = stack.hidden(x)[0]
    ablations = outcomes.plan()
    masks = unit_ablation.masks(ablations, "hidden1"), unit_ablation.masks(ablations, "hidden2")
    zeros = (torch.zeros_like(h1), torch.zeros(len(stack), len(x), 10))
    folded = unit_ablation.masked_predictions(stack.fc2, stack.fc3, h1, *masks)
    replaced = unit_ablation.masked_predictions(stack.fc2, stack.fc3, h1, *masks, replacement=zeros)
    assert (folded != replaced).float().mean() < 1e-3  # only where float32 rounding meets a near-tie


def test_as_published_is_the_authors_zeroing_only(stack):
    images = torch.randint(0, 256, (20, 28, 28), dtype=torch.uint8)
    mean = Semantics.of("mean", stack, _inputs(1, 50), seed=0)
    with pytest.raises(ValueError, match="as_published"):
        unit_ablation.evaluate(stack, ["a", "b"], images, torch.zeros(20, dtype=torch.long), outcomes.plan(),
                               "as_published", mean)


def test_rankings_of_units_and_pairs_against_the_first_semantics():
    """Per network, rho and the top-k share of single and pair drops; the same drops agree fully, negated ones not at
    all; the mean over networks with its bootstrap interval."""
    from itertools import combinations

    import pandas as pd

    from ablation.mnist.statistics import semantics_rankings

    rng = np.random.default_rng(0)
    rows = []
    for network in ("a", "b", "c", "d"):
        units = {"hidden1": [str(u) for u in range(1, 21)] + [f"{i}+{j}" for i, j in combinations(range(1, 21), 2)],
                 "hidden2": [str(u) for u in range(1, 11)]}
        drops = {(layer, unit): float(rng.normal(5, 3)) for layer, names in units.items() for unit in names}
        for name, sign in (("zero", 1), ("same", 1), ("negated", -1)):
            rows.append((name, network, "none", "none", "all", 90.0))
            rows += [(name, network, layer, unit, "all", 90.0 - sign * drop) for (layer, unit), drop in drops.items()]
    table = pd.DataFrame(rows, columns=["semantics", "network", "layer", "units", "class", "accuracy"])
    rankings = semantics_rankings(table, "zero", top=3, resamples=200, seed=0).set_index(["semantics", "ranking"])
    assert len(rankings) == 2 * 3
    assert rankings.loc[("same", "hidden1 pairs"), "items"] == 190 and (rankings.networks == 4).all()
    assert (rankings.loc["same"].spearman == 1).all() and (rankings.loc["same"].overlap == 1).all()
    assert np.allclose(rankings.loc["negated"].spearman, -1) and (rankings.loc["negated"].overlap == 0).all()

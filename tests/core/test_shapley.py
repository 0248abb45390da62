"""Shapley values and interactions of a game given by its values over all lesion masks: the exact formulas against
brute force and the axioms, and the sampler against the exact values."""

from __future__ import annotations

import itertools
from math import factorial

import numpy as np
import pytest

from ablation.core import shapley


def brute_force(value, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values over all n! orders and interaction indices over all coalitions, from value(intact set)."""
    values = np.zeros(n)
    for order in itertools.permutations(range(n)):
        intact: frozenset[int] = frozenset()
        for player in order:
            values[player] += value(intact | {player}) - value(intact)
            intact |= {player}
    interactions = np.zeros((n, n))
    for i, j in itertools.permutations(range(n), 2):
        others = [p for p in range(n) if p not in (i, j)]
        for size in range(len(others) + 1):
            for coalition in map(frozenset, itertools.combinations(others, size)):
                weight = factorial(size) * factorial(n - size - 2) / factorial(n - 1)
                interactions[i, j] += weight * (value(coalition | {i, j}) - value(coalition | {i})
                                                - value(coalition | {j}) + value(coalition))
    return values / factorial(n), interactions


def table_of(value, n: int) -> np.ndarray:
    """The game's values over lesion masks (bit i set: player i lesioned)."""
    return np.array([value(frozenset(p for p in range(n) if not mask >> p & 1)) for mask in range(2**n)])


def test_exact_values_and_interactions_equal_brute_force_and_obey_the_axioms():
    n, rng = 6, np.random.default_rng(0)
    weights, codes = rng.normal(size=n), [1.0, 1.0, 2.0, 4.0, 8.0, 0.0]
    weights[5], weights[1] = 0.0, weights[0]

    def value(intact: frozenset[int]) -> float:
        # Additive part + 0 and 1 redundant (either one suffices) + 2 and 3 complementary (both needed)
        # + an irregular term; player 5 is a dummy (no effect at all), 0 and 1 are symmetric.
        return (sum(weights[p] for p in intact) + 3.0 * bool(intact & {0, 1}) + 2.0 * ({2, 3} <= intact)
                + 0.3 * np.sin(sum(codes[p] for p in intact)))

    table = table_of(value, n)
    expected_values, expected_interactions = brute_force(value, n)
    values, interactions = shapley.exact_values(table), shapley.exact_interactions(table)
    np.testing.assert_allclose(values, expected_values, atol=1e-12)
    np.testing.assert_allclose(interactions, expected_interactions, atol=1e-12)
    assert values.sum() == pytest.approx(table[0] - table[-1], abs=1e-12)  # efficiency
    assert values[0] == pytest.approx(values[1], abs=1e-12)  # symmetry
    assert values[5] == pytest.approx(0, abs=1e-12) and np.abs(interactions[5]).max() < 1e-12  # dummy
    assert interactions[0, 1] < 0 < interactions[2, 3]  # redundant vs complementary
    # Two players: the index is the paper's pair interaction, negated (pair drop minus the single drops).
    two = table_of(lambda intact: value(intact | {2, 3, 4, 5}), 2)
    excess = (two[0] - two[3]) - (two[0] - two[1]) - (two[0] - two[2])
    assert shapley.exact_interactions(two)[0, 1] == pytest.approx(-excess)


def test_values_stack_over_leading_axes_and_odd_players():
    tables = np.random.default_rng(1).normal(size=(3, 2, 2**5))
    for index in np.ndindex(3, 2):
        np.testing.assert_allclose(shapley.exact_values(tables)[index], shapley.exact_values(tables[index]))
        np.testing.assert_allclose(shapley.exact_interactions(tables)[index],
                                   shapley.exact_interactions(tables[index]))
    with pytest.raises(ValueError, match="2\\^n values"):
        shapley.exact_values(np.zeros(6))


def test_sampled_values_scatter_around_the_exact_ones_by_their_standard_errors():
    n = 7
    table = np.random.default_rng(2).normal(size=(2, 2**n))
    exact = shapley.exact_values(table)
    scores = []
    for seed in range(20):
        estimate = shapley.sample_values(lambda masks: table[:, masks @ (1 << np.arange(n))].T, n, 400, seed=seed)
        scores.append((estimate.values - exact) / estimate.standard_errors)
    assert estimate.values.shape == estimate.standard_errors.shape == (2, n)
    z = np.concatenate(scores).ravel()  # 280 errors in units of their standard error: standard normal
    assert np.abs(z).max() < 4.5 and 0.8 < (z**2).mean() < 1.25 and abs(z.mean()) < 0.25
    again = shapley.sample_values(lambda masks: table[:, masks @ (1 << np.arange(n))].T, n, 400, seed=19)
    assert np.array_equal(estimate.values, again.values)


def test_sampling_stops_at_the_target_standard_error_with_the_orders_of_a_fixed_count():
    n = 7
    table = np.random.default_rng(2).normal(size=(2, 2**n))

    def game(masks: np.ndarray) -> np.ndarray:
        return table[:, masks @ (1 << np.arange(n))].T

    fixed = shapley.sample_values(game, n, 400, seed=3)
    target = 2.5 * float(fixed.standard_errors.max())  # standard errors shrink as 1 / sqrt(orders): ~64 orders
    stopped = shapley.sample_values(game, n, 400, seed=3, target_standard_error=target)
    assert stopped.permutations < 400 and stopped.permutations % 40 == 0  # rounds of a tenth of the most
    assert stopped.standard_errors.max() <= target
    # The first rounds' standard errors were still above it, and the estimate is that of the same first orders.
    earlier = shapley.sample_values(game, n, stopped.permutations - 40, seed=3)
    assert earlier.standard_errors.max() > target
    same = shapley.sample_values(game, n, stopped.permutations, seed=3)
    assert np.array_equal(stopped.values, same.values) and np.array_equal(stopped.standard_errors,
                                                                         same.standard_errors)
    # An additive game has no spread: one round of 40 suffices; an unreachable target draws all 400.
    additive = shapley.sample_values(lambda masks: (~masks) @ np.arange(1.0, n + 1)[:, None], n, 400, seed=3,
                                     target_standard_error=1e-9)
    assert additive.permutations == 40 and np.allclose(additive.values[0], np.arange(1.0, n + 1))
    # Rounds of 10: two of them, never fewer than MIN_ORDERS (20) orders.
    assert shapley.sample_values(lambda masks: (~masks) @ np.arange(1.0, n + 1)[:, None], n, 100, seed=3,
                                 target_standard_error=1e-9).permutations == shapley.MIN_ORDERS == 20
    assert shapley.sample_values(game, n, 400, seed=3, target_standard_error=1e-9).permutations == 400

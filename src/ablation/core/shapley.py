"""Shapley values and pairwise Shapley interaction indices of a lesion game, exact or sampled (model-agnostic).

The players are units (or groups of filters); the value of a coalition is the network's performance with exactly
those players intact, i.e. with all others lesioned. A game is given by its values over lesion sets: bit i of a
lesion mask set means player i is lesioned, so `values[..., 0]` is the intact network and `values[..., -1]` the
network with every player lesioned. This is multi-perturbation Shapley analysis (MSA) done exactly:

- Shapley value of i: its contribution v(C + i) - v(C) averaged over all orders in which players are restored
  (Shapley 1953); the values add up to v(intact) - v(all lesioned) (efficiency).
- Shapley interaction index of i and j: the second difference v(C+ij) - v(C+i) - v(C+j) + v(C) averaged over the
  coalitions C without them with weights |C|! (n-|C|-2)! / (n-1)! (Grabisch and Roubens 1999); for two players it
  is the paper's pair interaction with the sign of a gain: pair drop minus the two single drops, negated.

Both are linear in the values and depend on a lesion set only through its size and whether i (and j) are in it,
so each is one weighted sum over the 2^n values: matrix products, exact to float64 rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import factorial

import numpy as np


def players_of(values: np.ndarray) -> int:
    """n, for values over all 2^n lesion sets on the last axis."""
    n = int(np.log2(values.shape[-1]))
    if values.shape[-1] != 2**n:
        raise ValueError(f"a game over n players has 2^n values, got {values.shape[-1]}")
    return n


def lesion_bits(n: int) -> np.ndarray:
    """(2^n, n) 0/1 float: row m says which players lesion mask m lesions."""
    return ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.float64)


def _halves(f: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f over lesion masks as (..., high, low) with the masks' low and high halves' bits (low: players < n // 2)."""
    low = n // 2
    return f.reshape(*f.shape[:-1], 2 ** (n - low), 2**low), lesion_bits(low), lesion_bits(n - low)


def bit_sums(f: np.ndarray) -> np.ndarray:
    """sum_m f[..., m] x_i(m) for every player i, (..., n): x_i(m) = 1 where mask m lesions i.

    A mask is a (high, low) pair of half masks, so each sum runs over one half after summing out the other:
    2^n additions instead of n 2^n multiply-adds."""
    n = players_of(f)
    grid, low_bits, high_bits = _halves(f, n)
    return np.concatenate([grid.sum(-2) @ low_bits, grid.sum(-1) @ high_bits], axis=-1)


def bit_gram(f: np.ndarray) -> np.ndarray:
    """sum_m f[..., m] x_i(m) x_j(m) for every pair of players, (..., n, n), by halves as in `bit_sums`."""
    n = players_of(f)
    grid, low_bits, high_bits = _halves(f, n)
    low_low = np.einsum("...l,li,lj->...ij", grid.sum(-2), low_bits, low_bits)
    high_high = np.einsum("...h,hi,hj->...ij", grid.sum(-1), high_bits, high_bits)
    high_low = np.swapaxes(high_bits.T @ (grid @ low_bits), -1, -2)  # (..., low players, high players)
    return np.concatenate([np.concatenate([low_low, high_low], -1),
                           np.concatenate([np.swapaxes(high_low, -1, -2), high_high], -1)], -2)


def _coalition_weight(n: int, others: int) -> np.ndarray:
    """w[c] = c! (n - c - others)! / (n - others + 1)!, the probability-like weight of a coalition of size c that
    excludes `others` players (1 for a Shapley value, 2 for an interaction), zero outside 0 <= c <= n - others."""
    weights = np.zeros(n + 1)
    for c in range(n - others + 1):
        weights[c] = factorial(c) * factorial(n - c - others) / factorial(n - others + 1)
    return weights


def exact_values(values: np.ndarray) -> np.ndarray:
    """Shapley value of every player, (..., n), from the game's values over all lesion sets, (..., 2^n).

    With k = |lesion set| the intact coalition has n - k players: v(mask) enters player i's value with
    +w(n - k - 1) when i is intact (as v(C + i)) and -w(n - k) when i is lesioned (as v(C)).
    """
    n = players_of(values)
    k = np.bitwise_count(np.arange(2**n)).astype(int)  # players each mask lesions
    w = _coalition_weight(n, 1)
    restored = np.where(k < n, w[np.clip(n - k - 1, 0, n)], 0.0)  # weight of v(mask) as v(C + i), i intact
    removed = np.where(k > 0, w[np.clip(n - k, 0, n)], 0.0)  # weight of v(mask) as v(C), i lesioned
    return (values @ restored)[..., None] - bit_sums(values * (restored + removed))


def exact_interactions(values: np.ndarray) -> np.ndarray:
    """Shapley interaction index of every pair, (..., n, n) (diagonal 0), from the values over all lesion sets.

    v(mask) enters I_ij as v(C + ij) (both intact, |C| = n - k - 2), -v(C + i) or -v(C + j) (one lesioned,
    |C| = n - k - 1) or v(C) (both lesioned, |C| = n - k). With x the lesion indicators that is
    x_i x_j (a + 2b + c) - (x_i + x_j)(b + c) + c for the three weights a, b, c of the mask's size: one weighted
    Gram matrix of the lesion bits, one weighted sum of them, one total.
    """
    n = players_of(values)
    k = np.bitwise_count(np.arange(2**n)).astype(int)  # players each mask lesions
    w = _coalition_weight(n, 2)

    def weight(size: np.ndarray) -> np.ndarray:
        return np.where((size >= 0) & (size <= n - 2), w[np.clip(size, 0, n)], 0.0)

    both_intact, one_lesioned, both_lesioned = weight(n - k - 2), weight(n - k - 1), weight(n - k)
    pair = bit_gram(values * (both_lesioned + 2 * one_lesioned + both_intact))
    single = bit_sums(values * (one_lesioned + both_intact))
    total = values @ both_intact
    result = pair - single[..., :, None] - single[..., None, :] + total[..., None, None]
    result[..., np.arange(n), np.arange(n)] = 0.0
    return result


EXACT = 0  # an Estimate's `permutations` (and a table's) where the values are exact, from every lesion set


@dataclass(frozen=True)
class Estimate:
    """Permutation-sampled Shapley values (..., n) with their standard errors (std of the per-permutation
    contributions / sqrt(permutations))."""

    values: np.ndarray
    standard_errors: np.ndarray
    permutations: int


def _contributions(evaluate: Callable[[np.ndarray], np.ndarray], orders: np.ndarray, batch: int) -> np.ndarray:
    """(P, ..., n): what each player added when restored, in each order (P, n) restoring the players one by one
    from the fully lesioned network."""
    permutations, players = orders.shape
    masks = np.ones((permutations, players + 1, players), dtype=bool)
    for step in range(players):
        masks[:, step + 1] = masks[:, step]
        masks[np.arange(permutations), step + 1, orders[:, step]] = False
    # Each distinct lesion set once (every order starts fully lesioned and ends intact).
    distinct, where = np.unique(masks.reshape(-1, players), axis=0, return_inverse=True)
    value = np.concatenate([evaluate(distinct[start : start + batch]) for start in range(0, len(distinct), batch)])
    value = value[where.ravel()].reshape(permutations, players + 1, *value.shape[1:])
    gained = np.diff(value, axis=1)  # (P, n, ...): what the player restored at each step added
    samples = np.empty_like(gained)
    samples[np.arange(permutations)[:, None], orders] = gained
    return np.moveaxis(samples, 1, -1)


def _estimate(samples: np.ndarray) -> Estimate:
    permutations = len(samples)
    spread = samples.std(0, ddof=1) if permutations > 1 else np.full(samples.shape[1:], np.nan)
    return Estimate(samples.mean(0), spread / np.sqrt(permutations), permutations)


def sample_values(evaluate: Callable[[np.ndarray], np.ndarray], players: int, permutations: int, seed: int,
                  batch: int = 4096, target_standard_error: float | None = None) -> Estimate:
    """Shapley values estimated from random restoring orders (the MSA estimator).

    `evaluate(masks)` gets (k, players) bool lesion masks and returns (k, ...) values. Each permutation restores
    the players one by one from the fully lesioned network; a player's sample is the value it added when restored.

    `target_standard_error`: sample in rounds of a tenth of `permutations` (at least 2) and stop after the first
    round at which every standard error is at most the target, but not before `MIN_ORDERS` orders (a standard
    error from a handful of orders is itself too noisy to stop on); `permutations` is then the most drawn. The orders
    are drawn one by one from one generator, so a run that stops after P orders has exactly the first P orders of a
    run without a target: the same seed gives the same estimate.
    """
    rng = np.random.default_rng(seed)
    rounds = [permutations] if target_standard_error is None else _rounds(permutations)
    samples: list[np.ndarray] = []
    for size in rounds:
        orders = np.stack([rng.permutation(players) for _ in range(size)])  # (P, n)
        samples.append(_contributions(evaluate, orders, batch))
        estimate = _estimate(np.concatenate(samples))
        if (target_standard_error is not None and estimate.permutations >= MIN_ORDERS
                and np.nanmax(estimate.standard_errors) <= target_standard_error):
            break
    return estimate


MIN_ORDERS = 20  # sampling to a target standard error never stops before this many orders


def _rounds(permutations: int) -> list[int]:
    size = max(2, -(-permutations // 10))
    return [min(size, permutations - start) for start in range(0, permutations, size)]

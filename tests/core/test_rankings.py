"""Rank agreement between semantics (`ablation.core.rankings`) against scipy, and on rankings with a known answer."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ablation.core.rankings import spearman, top_overlap


def test_spearman_is_scipys_row_by_row_ties_included():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 5, (6, 12)).astype(float), rng.normal(size=(6, 12))  # a has ties
    expected = [stats.spearmanr(x, y).statistic for x, y in zip(a, b)]
    assert np.allclose(spearman(a, b), expected)
    assert spearman(np.arange(5.0), -np.arange(5.0))[0] == -1.0
    assert np.isnan(spearman(np.ones(4), np.arange(4.0))[0])  # a constant ranking agrees with nothing


def test_top_overlap_counts_the_shared_largest():
    a = np.array([9.0, 8.0, 7.0, 1.0, 0.0])
    assert top_overlap(a, a, 3)[0] == 1.0
    assert top_overlap(a, np.array([9.0, 0.0, 0.0, 8.0, 7.0]), 3)[0] == 1 / 3
    assert top_overlap(a, -a, 2)[0] == 0.0
    assert np.array_equal(top_overlap(np.stack([a, a]), np.stack([a, -a]), 1), [1.0, 0.0])

"""Matched random nulls (`ablation.core.nulls`): empirical p-values with Besag-Clifford's sequential stopping are
valid (uniform where the statistic comes from the null), small for a planted effect, and stop at the stated
exceedance count; the FDR is statsmodels' Benjamini-Hochberg."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from ablation.core import nulls


def run(null: nulls.Null, rng: np.random.Generator, batch: int = 16) -> nulls.Null:
    while not null.done():
        null.add(rng.normal(size=batch))
    return null


@pytest.mark.parametrize("alternative", nulls.ALTERNATIVES)
def test_a_statistic_drawn_from_the_null_gets_a_uniform_p_value(alternative):
    """2,000 repetitions of a statistic exchangeable with the null draws: P(p <= alpha) stays at or under alpha
    (Besag-Clifford's p-values are valid) and near it (they are not needlessly conservative)."""
    rng = np.random.default_rng(0)
    p = np.concatenate([run(nulls.Null(rng.normal(size=5), alternative, enough=10, max_draws=400), rng).p_values()
                        for _ in range(400)])
    for alpha in (0.05, 0.2, 0.5):
        share = (p <= alpha).mean()
        # 2,000 p-values: the binomial sd of the share is at most 0.011.
        assert alpha - 0.06 < share <= alpha + 0.035, (alpha, share)


def test_a_planted_harmful_group_gets_the_smallest_p_value_the_draws_allow():
    rng = np.random.default_rng(1)
    null = run(nulls.Null(np.array([10.0, 0.0]), "greater", enough=10, max_draws=200), rng)
    p = null.p_values()
    assert p[0] == pytest.approx(1 / 201) and null.draws == 200  # never exceeded: every draw was taken
    assert p[1] > 0.2  # an ordinary one stopped early, at a large p


def test_drawing_stops_once_every_statistic_has_enough_exceedances():
    side = nulls.SequentialNull(np.array([0.0, 1.0]), enough=3, max_draws=1000)
    side.add(np.array([2.0, -1.0, 0.5, 3.0, 5.0, -2.0, 0.1]))  # exceed 0: draws 1, 3, 4; exceed 1: draws 1, 4, 5
    assert side.stopped_at.tolist() == [4, 5] and side.exceedances.tolist() == [3, 3] and side.done()
    np.testing.assert_allclose(side.p_values(), [3 / 4, 3 / 5])
    less = nulls.SequentialNull(np.array([0.0]), enough=2, max_draws=5, side="less")
    less.add(np.array([1.0, -1.0, 2.0]))
    assert not less.done() and less.p_values().tolist() == [(1 + 1) / (1 + 3)]
    less.add(np.array([3.0, 4.0, -5.0]))  # only the first 5 draws count: the sixth would exceed
    assert less.done() and less.draws == 5 and less.p_values().tolist() == [(1 + 1) / (1 + 5)]


def test_two_sided_is_twice_the_smaller_side():
    rng = np.random.default_rng(2)
    both = run(nulls.Null(np.array([2.5, -2.5, 0.0]), "two-sided", enough=10, max_draws=2000), rng)
    greater, less = (side.p_values() for side in both.sides)
    np.testing.assert_allclose(both.p_values(), np.minimum(1, 2 * np.minimum(greater, less)))
    assert both.p_values()[0] < 0.05 and both.p_values()[1] < 0.05 and both.p_values()[2] > 0.5


def test_fdr_is_benjamini_hochberg():
    p = np.random.default_rng(3).uniform(size=40) ** 3
    np.testing.assert_allclose(nulls.fdr(p), multipletests(p, method="fdr_bh")[1])
    assert nulls.fdr(np.array([])).size == 0

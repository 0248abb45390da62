"""How far two semantics agree on what matters: Spearman's rank correlation of the same ablations' drops, and the
share of the `top` largest drops under one that are among the `top` largest under the other. Row-wise, so that a
bootstrap's resamples are ranked in one call."""

from __future__ import annotations

import numpy as np


def spearman(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rank correlation of each row of `a` with the same row of `b` ((R, n) each; ties get mean ranks); NaN where
    a row is constant."""
    from scipy import stats  # here, not at the top: the figures import this module, most draw without scipy

    ranks = [stats.rankdata(np.atleast_2d(x), axis=1) for x in (a, b)]
    centred = [r - r.mean(1, keepdims=True) for r in ranks]
    scale = np.sqrt((centred[0] ** 2).sum(1) * (centred[1] ** 2).sum(1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (centred[0] * centred[1]).sum(1) / scale


def top_overlap(a: np.ndarray, b: np.ndarray, top: int) -> np.ndarray:
    """Per row, the share of the `top` largest of `a` that are among the `top` largest of `b` (ties: the first)."""
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    first = np.argsort(-a, axis=1, kind="stable")[:, :top]
    second = np.argsort(-b, axis=1, kind="stable")[:, :top]
    return (first[:, :, None] == second[:, None, :]).any(2).mean(1)

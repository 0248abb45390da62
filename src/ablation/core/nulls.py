"""Matched random nulls: is an effect larger (or smaller) than what any group of the same size would do?

Each observed statistic (a filter group's drop, say) is compared with draws from a null (the drops of random groups
of the same size in the same layer). Its empirical p-value is (1 + exceedances) / (1 + draws). The draws arrive in
batches, and drawing stops early by Besag and Clifford's sequential rule (Biometrika 78, 1991): a statistic whose
draws have reached `enough` exceedances can no longer get a small p-value, so its p-value is `enough` over the draws
it took to get there. Drawing stops once every statistic has stopped, or after `max_draws`. Both p-values are valid:
P(p <= alpha) <= alpha under the null.

`greater`: the observed statistic is larger than the null's (a group more harmful than random); `less`: smaller;
`two-sided`: twice the smaller one-sided p-value, at most 1. Benjamini-Hochberg FDR over a family: `fdr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ALTERNATIVES = ("greater", "less", "two-sided")


@dataclass
class SequentialNull:
    """Exceedance counts of `observed` statistics against null draws, for one alternative side (`greater`: a draw
    at least as large as the statistic exceeds it; `less`: at most as large)."""

    observed: np.ndarray
    enough: int
    max_draws: int
    side: str = "greater"
    draws: int = 0
    exceedances: np.ndarray = field(init=False)
    stopped_at: np.ndarray = field(init=False)  # the draw count at which a statistic reached `enough`; 0: not yet

    def __post_init__(self) -> None:
        if self.side not in ("greater", "less"):
            raise ValueError(f"side {self.side!r}: use greater or less")
        if self.enough < 1 or self.max_draws < 1:
            raise ValueError("enough and max_draws must be at least 1")
        self.observed = np.asarray(self.observed, dtype=float)
        self.exceedances = np.zeros(len(self.observed), dtype=np.int64)
        self.stopped_at = np.zeros(len(self.observed), dtype=np.int64)

    def add(self, draws: np.ndarray) -> None:
        """Count a batch of null draws, in order (the first `max_draws` in all)."""
        draws = np.asarray(draws, dtype=float)[: self.max_draws - self.draws]
        exceeds = (draws[:, None] >= self.observed) if self.side == "greater" else (draws[:, None] <= self.observed)
        running = self.exceedances + np.cumsum(exceeds, axis=0)  # (draws, statistics): counts after each draw
        active = self.stopped_at == 0
        for statistic in np.flatnonzero(active):
            reached = np.flatnonzero(running[:, statistic] >= self.enough)
            if len(reached):
                self.stopped_at[statistic] = self.draws + reached[0] + 1
                self.exceedances[statistic] = self.enough
            else:
                self.exceedances[statistic] = running[-1, statistic] if len(draws) else self.exceedances[statistic]
        self.draws += len(draws)

    def done(self) -> bool:
        return self.draws >= self.max_draws or bool((self.stopped_at > 0).all())

    def p_values(self) -> np.ndarray:
        """Besag-Clifford's p-value where a statistic stopped early, else (1 + exceedances) / (1 + draws)."""
        stopped = self.stopped_at > 0
        return np.where(stopped, self.enough / np.maximum(self.stopped_at, 1),
                        (1 + self.exceedances) / (1 + self.draws))


@dataclass
class Null:
    """An observed family of statistics against one null, for `alternative` (`ALTERNATIVES`)."""

    observed: np.ndarray
    alternative: str
    enough: int
    max_draws: int
    sides: list[SequentialNull] = field(init=False)

    def __post_init__(self) -> None:
        if self.alternative not in ALTERNATIVES:
            raise ValueError(f"alternative {self.alternative!r}: use one of {', '.join(ALTERNATIVES)}")
        names = ("greater", "less") if self.alternative == "two-sided" else (self.alternative,)
        self.sides = [SequentialNull(self.observed, self.enough, self.max_draws, name) for name in names]

    def add(self, draws: np.ndarray) -> None:
        for side in self.sides:
            if not side.done():
                side.add(draws)

    def done(self) -> bool:
        return all(side.done() for side in self.sides)

    @property
    def draws(self) -> int:
        """The draws used: the most any side took."""
        return max(side.draws for side in self.sides)

    def p_values(self) -> np.ndarray:
        if self.alternative != "two-sided":
            return self.sides[0].p_values()
        return np.minimum(1.0, 2 * np.minimum(*(side.p_values() for side in self.sides)))


def fdr(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values (statsmodels)."""
    from statsmodels.stats.multitest import multipletests  # here: figures import this module and never call it

    p_values = np.asarray(p_values, dtype=float)
    return multipletests(p_values, method="fdr_bh")[1] if len(p_values) else p_values

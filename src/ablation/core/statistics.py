"""What both studies use for an ablation's effect on the same items: McNemar's exact test with Benjamini-Hochberg
FDR for the classes an ablation improves, and a paired interval for the drop."""

from __future__ import annotations

import numpy as np
import pandas as pd

# scipy and statsmodels are imported where a test runs: every figure is a process of its own, imports this module and
# draws without them (a second less to start).


def mcnemar_fdr(gained: np.ndarray, lost: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """McNemar's exact p of each (items gained, items lost) pair, and Benjamini-Hochberg q over all of them."""
    from statsmodels.stats.contingency_tables import mcnemar
    from statsmodels.stats.multitest import multipletests

    if len(gained) == 0:
        return np.empty(0), np.empty(0)
    # The exact test depends only on the pair: run statsmodels once per distinct pair.
    pairs = pd.DataFrame({"gained": np.asarray(gained, dtype=np.int64), "lost": np.asarray(lost, dtype=np.int64)})
    distinct = pairs.drop_duplicates()
    distinct["p"] = [mcnemar([[0, b], [c, 0]], exact=True).pvalue for b, c in distinct.itertuples(index=False)]
    p = pairs.merge(distinct, on=["gained", "lost"], how="left").p.to_numpy()
    return p, multipletests(p, alpha=alpha, method="fdr_bh")[1]


def paired_drop(gained: np.ndarray, lost: np.ndarray, items: np.ndarray,
                confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The accuracy drop of an ablation on the same items [%p], (lost - gained) / items, with its paired Wald
    interval: each item's change is -1, 0 or 1, and the interval is the normal one of their mean (the standard
    error from the items that changed). No items: NaN."""
    from scipy import stats

    gained, lost = np.asarray(gained, dtype=float), np.asarray(lost, dtype=float)
    items = np.asarray(items, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = (lost - gained) / items
        variance = np.clip((gained + lost) / items - drop**2, 0, None) / items
    half = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(variance)
    return 100 * drop, 100 * (drop - half), 100 * (drop + half)

"""The test both studies use for classes an ablation improves: McNemar's exact test, Benjamini-Hochberg FDR."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests


def mcnemar_fdr(gained: np.ndarray, lost: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """McNemar's exact p of each (items gained, items lost) pair, and Benjamini-Hochberg q over all of them."""
    if len(gained) == 0:
        return np.empty(0), np.empty(0)
    # The exact test depends only on the pair: run statsmodels once per distinct pair.
    pairs = pd.DataFrame({"gained": np.asarray(gained, dtype=np.int64), "lost": np.asarray(lost, dtype=np.int64)})
    distinct = pairs.drop_duplicates()
    distinct["p"] = [mcnemar([[0, b], [c, 0]], exact=True).pvalue for b, c in distinct.itertuples(index=False)]
    p = pairs.merge(distinct, on=["gained", "lost"], how="left").p.to_numpy()
    return p, multipletests(p, alpha=alpha, method="fdr_bh")[1]

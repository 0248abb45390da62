"""What "ablate" means, shared by both studies: the ablated unit's or channel's output replaced by zero, by its
mean over held-out data, or by its own output on another test item (resample).

Resample pairs every test item with a partner by a fixed derangement (no item is its own partner), seeded, so that
every ablation of a run sees the same pairs whatever the batch size.
"""

from __future__ import annotations

import numpy as np


def derangement(items: int, seed: int) -> np.ndarray:
    """partner[i] != i for every item (for two or more items): a random permutation's items, each paired with the
    next one round the cycle, so the whole set is one cycle."""
    if items < 2:
        raise ValueError(f"resample ablation needs at least 2 test items to pair, got {items}")
    order = np.random.default_rng(seed).permutation(items)
    partner = np.empty(items, dtype=np.int64)
    partner[order] = np.roll(order, -1)
    return partner

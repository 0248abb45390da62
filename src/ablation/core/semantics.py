"""What "ablate" means, shared by both studies: the ablated unit's or channel's output replaced by zero, by its
mean over held-out data, or by its own output on another test item (resample).

Resample pairs every test item with a partner by a fixed derangement (no item is its own partner), seeded, so that
every ablation of a run sees the same pairs whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol, TypeVar

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


class Replacing(Protocol):
    """What a replacing semantics needs: under resample, each item's partner (None under mean)."""

    @property
    def partner(self) -> np.ndarray | None: ...


R = TypeVar("R", bound=Replacing)


def checked(semantics: str, replacing: Collection[str], replacements: R | None, items: int) -> R | None:
    """The replacements a semantics in `replacing` needs (None for a zeroing one), or a ValueError: none given, or
    under resample no partner for each of the `items` evaluated."""
    if semantics in replacing and replacements is None:
        raise ValueError(f"semantics '{semantics}' needs its Replacements (the held-out means or the partners)")
    if semantics == "resample" and (replacements is None or replacements.partner is None
                                    or len(replacements.partner) != items):
        raise ValueError(f"resample needs a partner for each of the {items} images")
    return replacements if semantics in replacing else None

"""Pick the units and pairs that the paper's figures feature, by the role they play rather than by unit number.

Every score is computed exactly from the counts of test items (how many each ablation gets right, per class), in
rational arithmetic: no float rounding enters a comparison, so two machines whose counts agree (say AVX2 and
AVX-512 kernels, which may differ in the last bits of a logit) pick the same unit. An exact tie goes to the lower
unit number (for pairs: the first pair in table order, then the lower class). The rules work on the focus
network's first hidden layer, so the figures show the same kind of unit whatever network is analysed.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ablation.outcomes import hits

UNIT_ROLES = {
    "largest_drop": "largest overall accuracy drop",
    "class_selective": "one class dropped far more than any other (largest gap between its two largest class drops)",
    "negligible": "smallest absolute overall accuracy drop",
    "subset_selective": "a few classes dropped together (largest mean of its top-3 class drops minus the mean of the other 7)",
    "largest_class_gain": "largest accuracy gain in one class",
}
PAIR_ROLES = {
    "super_additive": "largest overall pair drop beyond the sum of the two single drops",
    "positive_synergy": "largest class gain of a pair beyond the sum of the two single effects",
}

Drops = dict[str, dict[str, Fraction]]  # units label -> class (`all`, `0`...) -> drop in %p, exact


def exact_drops(drops: pd.DataFrame, network: str, layer: str) -> Drops:
    """Every ablation's drop of one network and layer as an exact fraction of test items (percentage points)."""
    part = drops[(drops.network == network) & (drops.layer == layer)]
    lost = hits(part.intact, part["items"]) - hits(part.accuracy, part["items"])
    exact: Drops = {}
    for units, class_name, items, count in zip(part.units, part["class"], part["items"], lost):
        exact.setdefault(units, {})[class_name] = Fraction(100 * int(count), int(items))
    return exact


def unit_roles(drops: pd.DataFrame, network: str, layer: str = "hidden1") -> dict[str, str]:
    singles = {units: by_class for units, by_class in exact_drops(drops, network, layer).items() if "+" not in units}
    overall = {units: by_class["all"] for units, by_class in singles.items()}
    # Each unit's class drops, largest first.
    ranked = {units: sorted((drop for name, drop in by_class.items() if name != "all"), reverse=True)
              for units, by_class in singles.items()}
    scores = {
        "largest_drop": lambda u: overall[u],
        "class_selective": lambda u: ranked[u][0] - ranked[u][1],
        "negligible": lambda u: -abs(overall[u]),
        "subset_selective": lambda u: sum(ranked[u][:3]) / 3 - sum(ranked[u][3:]) / len(ranked[u][3:]),
        "largest_class_gain": lambda u: -ranked[u][-1],
    }
    chosen: dict[str, str] = {}
    for role, score in scores.items():
        # A unit plays one role only; the first role that claims it keeps it.
        remaining = [units for units in singles if units not in chosen.values()]
        chosen[role] = max(remaining, key=lambda u: (score(u), -int(u)))
    return chosen


def pair_roles(drops: pd.DataFrame, network: str, layer: str = "hidden1") -> dict[str, tuple[str, str]]:
    """Role -> (pair label like '4+16', class: 'all' or the class it concerns).

    A pair's interaction is its drop minus the two single drops; `super_additive` has the largest overall one,
    `positive_synergy` the most negative class one (a gain beyond the singles').
    """
    exact = exact_drops(drops, network, layer)
    interactions = {
        (pair, class_name): drop - sum(exact[unit][class_name] for unit in pair.split("+"))
        for pair, by_class in exact.items() if "+" in pair for class_name, drop in by_class.items()
    }
    order = {key: position for position, key in enumerate(interactions)}
    overall = [key for key in interactions if key[1] == "all"]
    classes = [key for key in interactions if key[1] != "all"]
    super_additive = max(overall, key=lambda key: (interactions[key], -order[key]))
    synergy = min(classes, key=lambda key: (interactions[key], order[key]))
    return {"super_additive": super_additive, "positive_synergy": synergy}

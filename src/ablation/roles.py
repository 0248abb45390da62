"""Pick the units and pairs that the paper's figures feature, by the role they play rather than by unit number.

Each rule is deterministic (ties go to the lower unit number) and works on the focus network's first hidden
layer, so the figures show the same kind of unit whatever network is analysed.
"""

from __future__ import annotations

import pandas as pd

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


def _class_matrix(drops: pd.DataFrame, network: str, layer: str) -> pd.DataFrame:
    """Single-unit class drops of one network and layer: units (1-based, numeric order) x classes 0-9."""
    part = drops[(drops.network == network) & (drops.layer == layer) & (drops["class"] != "all")
                 & ~drops.units.str.contains(r"\+")]
    matrix = part.pivot(index="units", columns="class", values="drop")
    return matrix.loc[sorted(matrix.index, key=int), sorted(matrix.columns, key=int)]


def unit_roles(drops: pd.DataFrame, network: str, layer: str = "hidden1") -> dict[str, str]:
    classes = _class_matrix(drops, network, layer)
    overall = drops[(drops.network == network) & (drops.layer == layer) & (drops["class"] == "all")
                    & ~drops.units.str.contains(r"\+")].set_index("units")["drop"].loc[classes.index]
    ranked = pd.DataFrame(pd.DataFrame(-classes.to_numpy()).apply(sorted, axis=1).tolist(), index=classes.index) * -1
    scores = {
        "largest_drop": overall,
        "class_selective": ranked[0] - ranked[1],
        "negligible": -overall.abs(),
        "subset_selective": ranked.iloc[:, :3].mean(axis=1) - ranked.iloc[:, 3:].mean(axis=1),
        "largest_class_gain": -classes.min(axis=1),
    }
    chosen: dict[str, str] = {}
    for role, score in scores.items():
        # A unit plays one role only; the first role that claims it keeps it.
        remaining = score.drop(list(chosen.values()))
        chosen[role] = str(remaining.idxmax())
    return chosen


def pair_roles(interactions: pd.DataFrame, network: str, layer: str = "hidden1") -> dict[str, tuple[str, str]]:
    """Role -> (pair label like '4+16', class: 'all' or the class it concerns)."""
    part = interactions[(interactions.network == network) & (interactions.layer == layer)]
    overall = part[part["class"] == "all"]
    super_additive = overall.loc[overall.interaction.idxmax()]
    classes = part[part["class"] != "all"]
    synergy = classes.loc[classes.interaction.idxmin()]
    return {
        "super_additive": (str(super_additive.units), "all"),
        "positive_synergy": (str(synergy.units), str(synergy["class"])),
    }

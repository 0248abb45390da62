"""Which units, pairs and unit sets the paper's MNIST figures feature: by the role they play, or the paper's own.

`featured(drops, network, mode, negligible_drop)` answers for every unit figure (Figs. 3-7, 12, 13, A.1-A.4) at
once. `mode: roles` picks units by the rules below, so the figures show the same kind of unit whatever network is
analysed; `mode: paper` pins the units the paper shows for the authors' network (12, 19, 6, 20, 3, 16; pairs 4+16,
5+10, 12+19; the set 6+11+13+18).

Every score is computed exactly from the counts of test items (how many each ablation gets right, per class), in
rational arithmetic: no float rounding enters a comparison, so two machines whose counts agree (say AVX2 and
AVX-512 kernels, which may differ in the last bits of a logit) pick the same unit. An exact tie goes to the lower
unit number (for pairs: the first pair in table order, then the lower class). The rules work on the featured
network's first hidden layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

import pandas as pd

from ablation.core.tables import hits

# Single-unit roles in the order they claim units: a unit plays one role only, the first that claims it.
UNIT_ROLES = {
    "largest_drop": "largest overall accuracy drop",
    "class_selective": "one class dropped far more than any other (largest gap between its two largest class drops)",
    "largest_class_gain": "largest accuracy gain in one class",
    "negligible": "smallest absolute overall accuracy drop",
    "second_many_classes": "the second largest overall accuracy drop",
    "subset_selective": ("a few classes dropped together (largest mean of its top-3 class drops "
                         "minus the mean of the other 7)"),
}
PAIR_ROLES = {
    "super_additive": "largest overall pair drop beyond the sum of the two single drops",
    "positive_synergy": ("largest class gain of a pair beyond the sum of its two single gains (a single ablation that "
                         "loses accuracy on the class counts as no gain)"),
}
MODES = ("roles", "paper")


@dataclass(frozen=True)
class Featured:
    """What one figure shows: `units` ('12', '4+16', '6+11+13+18', 1-based), the class it concerns, and why."""
    figure: str
    units: str
    class_name: str
    rule: str


# The figures that show one single ablation, by role.
SINGLE_FIGURES = {
    "fig03_largest_drop": "largest_drop", "fig04_class_selective": "class_selective", "fig05_negligible": "negligible",
    "fig06_subset_selective": "subset_selective", "fig07_largest_class_gain": "largest_class_gain",
    "figA1_second_many_classes": "second_many_classes",
}
# The paper's units (Figs. 3-7, 12, 13, A.1-A.4) and the class its text discusses.
PAPER = {
    "fig03_largest_drop": ("12", "all"), "fig04_class_selective": ("19", "1"), "fig05_negligible": ("6", "all"),
    "fig06_subset_selective": ("20", "all"), "fig07_largest_class_gain": ("3", "5"),
    "figA1_second_many_classes": ("16", "all"), "fig12_super_additive_pair": ("4+16", "all"),
    "fig13_positive_synergy_pair": ("5+10", "5"), "figA2_negligible_set": ("6+11+13+18", "all"),
    "figA3_pair_of_fig03_and_fig04": ("12+19", "6"), "figA4_singles_of_fig13": ("5+10", "5"),
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


def _singles(exact: Drops) -> Drops:
    return {units: by_class for units, by_class in exact.items() if "+" not in units}


def _classes(by_class: dict[str, Fraction]) -> list[tuple[Fraction, str]]:
    """(drop, class) of every class, largest drop first; equal drops in class order."""
    return sorted(((drop, name) for name, drop in by_class.items() if name != "all"), key=lambda d: (-d[0], int(d[1])))


def unit_roles(drops: pd.DataFrame, network: str, layer: str = "hidden1") -> dict[str, str]:
    singles = _singles(exact_drops(drops, network, layer))
    overall = {units: by_class["all"] for units, by_class in singles.items()}
    ranked = {units: [drop for drop, _ in _classes(by_class)] for units, by_class in singles.items()}
    scores = {
        "largest_drop": lambda u: overall[u],
        "class_selective": lambda u: ranked[u][0] - ranked[u][1],
        "negligible": lambda u: -abs(overall[u]),
        "subset_selective": lambda u: sum(ranked[u][:3]) / 3 - sum(ranked[u][3:]) / len(ranked[u][3:]),
        "largest_class_gain": lambda u: -ranked[u][-1],
        "second_many_classes": lambda u: overall[u],
    }
    chosen: dict[str, str] = {}
    for role in UNIT_ROLES:
        score = scores[role]
        remaining = [units for units in singles if units not in chosen.values()]
        chosen[role] = max(remaining, key=lambda u: (score(u), -int(u)))
    return chosen


def pair_gain_excess(exact: Drops, pair: str, class_name: str) -> Fraction:
    """How far a pair's gain on a class exceeds the sum of its two single gains (a single loss counts as 0)."""
    single_gains = sum(max(-exact[unit][class_name], Fraction(0)) for unit in pair.split("+"))
    return -exact[pair][class_name] - single_gains


def pair_roles(drops: pd.DataFrame, network: str, layer: str = "hidden1") -> dict[str, tuple[str, str]]:
    """Role -> (pair label like '4+16', class: 'all' or the class it concerns).

    `super_additive`: the largest overall drop minus the two single drops. `positive_synergy`: among pairs that gain
    on a class, the largest `pair_gain_excess`; where none exceeds its singles' sum, the closest (the figure says so).
    """
    exact = exact_drops(drops, network, layer)
    pairs = [pair for pair in exact if "+" in pair]
    interaction = {pair: exact[pair]["all"] - sum(exact[unit]["all"] for unit in pair.split("+")) for pair in pairs}
    super_additive = max(pairs, key=lambda pair: (interaction[pair], -pairs.index(pair)))
    candidates = [(pair, name) for pair in pairs for name in exact[pair] if name != "all"]
    gaining = [key for key in candidates if exact[key[0]][key[1]] < 0] or candidates
    synergy = max(gaining, key=lambda key: (pair_gain_excess(exact, *key), -candidates.index(key)))
    return {"super_additive": (super_additive, "all"), "positive_synergy": synergy}


def negligible_units(drops: pd.DataFrame, network: str, threshold: float, layer: str = "hidden1") -> list[str]:
    """Units whose single ablation moves overall accuracy by at most `threshold` %p, in unit order."""
    singles = _singles(exact_drops(drops, network, layer))
    return sorted((u for u, by_class in singles.items() if abs(by_class["all"]) <= Fraction(str(threshold))), key=int)


def _pair_label(first: str, second: str) -> str:
    return "+".join(sorted((first, second), key=int))


def featured(drops: pd.DataFrame, network: str, mode: str, negligible_drop: float) -> list[Featured]:
    """The units every unit figure shows, the class it concerns and the rule that chose them."""
    if mode == "paper":
        return [Featured(figure, units, name, "the unit(s) the paper shows") for figure, (units, name) in PAPER.items()]
    exact = exact_drops(drops, network, "hidden1")
    units, pairs = unit_roles(drops, network), pair_roles(drops, network)
    result = [Featured(figure, units[role], "all", UNIT_ROLES[role]) for figure, role in SINGLE_FIGURES.items()]
    # The class each single figure is about: the selective unit's most dropped class, the gain figure's gained class.
    about = {"fig04_class_selective": _classes(exact[units["class_selective"]])[0][1],
             "fig07_largest_class_gain": _classes(exact[units["largest_class_gain"]])[-1][1]}
    result = [Featured(f.figure, f.units, about.get(f.figure, "all"), f.rule) for f in result]
    synergy, synergy_class = pairs["positive_synergy"]
    negligible = negligible_units(drops, network, negligible_drop)
    set_rule = f"every unit whose single ablation moves overall accuracy by at most {negligible_drop:g} %p"
    if not negligible:
        negligible = [units["negligible"]]
        set_rule = f"no unit moves overall accuracy by at most {negligible_drop:g} %p: the Fig. 5 unit alone"
    a3 = _pair_label(units["largest_drop"], units["class_selective"])
    # The class the pair hurts most beyond its two singles (the paper: class 6 for 12+19).
    beyond = {name: drop - sum(exact[unit][name] for unit in a3.split("+")) for name, drop in exact[a3].items()}
    a3_class = _classes(beyond)[0][1]
    result += [
        Featured("fig12_super_additive_pair", pairs["super_additive"][0], "all", PAIR_ROLES["super_additive"]),
        Featured("fig13_positive_synergy_pair", synergy, synergy_class, PAIR_ROLES["positive_synergy"]),
        Featured("figA2_negligible_set", "+".join(negligible), "all", set_rule),
        Featured("figA3_pair_of_fig03_and_fig04", a3, a3_class, "the units of Figs. 3 and 4 together"),
        Featured("figA4_singles_of_fig13", synergy, synergy_class, "the two units of the Fig. 13 pair, one at a time"),
    ]
    return result


def write(chosen: list[Featured], path: str) -> None:
    pd.DataFrame([asdict(f) for f in chosen]).rename(columns={"class_name": "class"}).to_csv(path, index=False)


def read(path: str) -> dict[str, Featured]:
    rows = pd.read_csv(path, dtype=str).to_dict("records")
    return {row["figure"]: Featured(row["figure"], row["units"], row["class"], row["rule"]) for row in rows}

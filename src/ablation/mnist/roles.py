"""Which units, pairs and unit sets the paper's MNIST figures feature: by the role they play, or the paper's own.

`featured(result, network, mode, negligible_drop)` answers for every unit figure (Figs. 3-7, 12, 13, A.1-A.4) at
once, from the test-item outcomes of every network. `mode: roles` picks units by the rules below, so the figures
show the same kind of unit whatever network is analysed; `mode: paper` pins the units the paper shows for the
authors' network (12, 19, 6, 20, 3, 16; pairs 4+16, 5+10, 12+19; the set 6+11+13+18).

Every score is computed exactly from the counts of test items (how many each ablation gets right, per class), in
rational arithmetic: no float rounding enters a comparison, so two machines whose counts agree (say AVX2 and
AVX-512 kernels, which may differ in the last bits of a logit) pick the same unit. An exact tie goes to the lower
unit number (for pairs: the first pair in table order, then the lower class), and the rule text names the units it
tied with. The rules work on the featured network's first hidden layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from fractions import Fraction

import pandas as pd

from ablation.core.tables import hits
from ablation.mnist import outcomes
from ablation.mnist.architecture import CLASSES
from ablation.mnist.outcomes import Ablation, Outcomes

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
    "positive_synergy": ("positive synergy: both units alone gain on a class, together more than the sum of the "
                         "two gains (the largest excess)"),
}
MODES = ("roles", "paper")
NO_SYNERGY = "NO positive synergy"  # how the Fig. 13 rule starts where the network has none


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


def _ties(chosen: str, candidates: list[str], score: Callable[[str], Fraction], kind: str = "unit") -> str:
    """' (tied with unit 7)' where other candidates score exactly as the chosen one: a tie is shown, not hidden."""
    tied = [c for c in candidates if c != chosen and score(c) == score(chosen)]
    if not tied:
        return ""
    return f" (tied with {kind}{'s' if len(tied) > 1 else ''} {', '.join(tied)})"


def _unit_scores(singles: Drops) -> dict[str, Callable[[str], Fraction]]:
    overall = {units: by_class["all"] for units, by_class in singles.items()}
    ranked = {units: [drop for drop, _ in _classes(by_class)] for units, by_class in singles.items()}
    return {
        "largest_drop": lambda u: overall[u],
        "class_selective": lambda u: ranked[u][0] - ranked[u][1],
        "negligible": lambda u: -abs(overall[u]),
        "subset_selective": lambda u: sum(ranked[u][:3], Fraction(0)) / 3 - sum(ranked[u][3:], Fraction(0))
        / len(ranked[u][3:]),
        "largest_class_gain": lambda u: -ranked[u][-1],
        "second_many_classes": lambda u: overall[u],
    }


def _choose_units(singles: Drops) -> dict[str, tuple[str, str]]:
    """Role -> (unit, tie note): each role in order claims the best unit no earlier role claimed."""
    scores = _unit_scores(singles)
    chosen: dict[str, tuple[str, str]] = {}
    for role in UNIT_ROLES:
        score = scores[role]
        claimed = {unit for unit, _ in chosen.values()}
        remaining = [units for units in singles if units not in claimed]
        unit = max(remaining, key=lambda u: (score(u), -int(u)))
        chosen[role] = (unit, _ties(unit, sorted(singles, key=int), score))
    return chosen


def unit_roles(drops: pd.DataFrame, network: str, layer: str = "hidden1") -> dict[str, str]:
    return {role: unit for role, (unit, _) in _choose_units(_singles(exact_drops(drops, network, layer))).items()}


def _gain(exact: Drops, units: str, class_name: str) -> Fraction:
    return -exact[units][class_name]


def pair_gain_excess(exact: Drops, pair: str, class_name: str) -> Fraction:
    """How far a pair's gain on a class exceeds the sum of its two single gains (losses count as negative gains)."""
    return _gain(exact, pair, class_name) - sum((_gain(exact, unit, class_name) for unit in pair.split("+")),
                                                Fraction(0))


def is_positive_synergy(exact: Drops, pair: str, class_name: str) -> bool:
    """The paper's Fig. 13 / A.4: both units alone gain on the class, and the pair gains more than their sum."""
    singles_gain = all(_gain(exact, unit, class_name) > 0 for unit in pair.split("+"))
    return singles_gain and pair_gain_excess(exact, pair, class_name) > 0


def _pair_classes(exact: Drops) -> list[tuple[str, str]]:
    """Every (pair, class) in table order, then class order."""
    return [(pair, name) for pair in exact if "+" in pair for name in exact[pair] if name != "all"]


def positive_synergy(exact: Drops) -> tuple[str, str] | None:
    """The (pair, class) with the largest positive synergy; None where the network has none. Ties: table order."""
    synergies = [key for key in _pair_classes(exact) if is_positive_synergy(exact, *key)]
    if not synergies:
        return None
    return max(synergies, key=lambda key: (pair_gain_excess(exact, *key), -synergies.index(key)))


def closest_to_synergy(exact: Drops) -> tuple[str, str]:
    """Where a network has no positive synergy: the pair that comes closest. Pairs whose singles both gain on the
    class come first (largest excess), then pairs that gain on a class (largest excess)."""
    candidates = _pair_classes(exact)
    gaining = [key for key in candidates if _gain(exact, *key) > 0] or candidates

    def closeness(key: tuple[str, str]) -> tuple[bool, Fraction, int]:
        both = all(_gain(exact, unit, key[1]) > 0 for unit in key[0].split("+"))
        return both, pair_gain_excess(exact, *key), -candidates.index(key)

    return max(gaining, key=closeness)


def super_additive(exact: Drops) -> tuple[str, str]:
    """(pair, tie note): the largest overall pair drop beyond the sum of its single drops; ties: table order."""
    pairs = [pair for pair in exact if "+" in pair]
    interaction = {pair: exact[pair]["all"] - sum((exact[unit]["all"] for unit in pair.split("+")), Fraction(0))
                   for pair in pairs}
    pair = max(pairs, key=lambda p: (interaction[p], -pairs.index(p)))
    return pair, _ties(pair, pairs, interaction.__getitem__, "pair")


def pair_roles(drops: pd.DataFrame, network: str, layer: str = "hidden1") -> dict[str, tuple[str, str] | None]:
    """Role -> (pair label like '4+16', class: 'all' or the class it concerns); `positive_synergy` is None where the
    network has none."""
    exact = exact_drops(drops, network, layer)
    return {"super_additive": (super_additive(exact)[0], "all"), "positive_synergy": positive_synergy(exact)}


def networks_with_synergy(drops: pd.DataFrame) -> list[str]:
    """The networks of the table that have a positive synergy in hidden layer 1, in table order."""
    return [network for network in drops.network.unique()
            if positive_synergy(exact_drops(drops, network, "hidden1")) is not None]


def negligible_units(drops: pd.DataFrame, network: str, threshold: float, layer: str = "hidden1") -> list[str]:
    """Units whose single ablation moves overall accuracy by at most `threshold` %p, in unit order."""
    singles = _singles(exact_drops(drops, network, layer))
    return sorted((u for u, by_class in singles.items() if abs(by_class["all"]) <= Fraction(str(threshold))), key=int)


def pair_only_shares(result: Outcomes, network: str, pair: str) -> dict[str, Fraction]:
    """Per class, the share (%) of its test items the pair gets wrong while the intact network and each single
    ablation get them right (Fig. A.3's blue bars), exactly."""
    only = result.pair_only_wrong(result.networks.index(network), Ablation.parse("hidden1", pair))
    return {str(c): Fraction(100 * int(only[result.labels == c].sum()), int((result.labels == c).sum()))
            for c in range(CLASSES) if (result.labels == c).any()}


def _pair_label(first: str, second: str) -> str:
    return "+".join(sorted((first, second), key=int))


def featured(result: Outcomes, network: str, mode: str, negligible_drop: float) -> list[Featured]:
    """The units every unit figure shows, the class it concerns and the rule that chose them, from the test-item
    outcomes of every network (`result`; the other networks tell how many have a positive synergy)."""
    if mode == "paper":
        return [Featured(figure, units, name, "the unit(s) the paper shows") for figure, (units, name) in PAPER.items()]
    table_drops = outcomes.drops(outcomes.accuracy_table(result))
    exact = exact_drops(table_drops, network, "hidden1")
    units = _choose_units(_singles(exact))
    result_rows = [Featured(figure, units[role][0], "all", UNIT_ROLES[role] + units[role][1])
                   for figure, role in SINGLE_FIGURES.items()]
    # The class each single figure is about: the selective unit's most dropped class, the gain figure's gained class.
    about = {"fig04_class_selective": _classes(exact[units["class_selective"][0]])[0][1],
             "fig07_largest_class_gain": _classes(exact[units["largest_class_gain"][0]])[-1][1]}
    result_rows = [Featured(f.figure, f.units, about.get(f.figure, "all"), f.rule) for f in result_rows]
    with_synergy = networks_with_synergy(table_drops)
    count = f"{len(with_synergy)} of {table_drops.network.nunique()} networks have one"
    synergy = positive_synergy(exact)
    if synergy is None:
        synergy = closest_to_synergy(exact)
        synergy_rule = (f"{NO_SYNERGY} in network {network} ({count}): shown is the pair closest to one "
                        "(both singles gaining first, then the largest gain beyond the singles' sum)")
    else:
        synergy_rule = f"{PAIR_ROLES['positive_synergy']}; {count}"
    negligible = negligible_units(table_drops, network, negligible_drop)
    set_rule = f"every unit whose single ablation moves overall accuracy by at most {negligible_drop:g} %p"
    if not negligible:
        negligible = [units["negligible"][0]]
        set_rule = f"no unit moves overall accuracy by at most {negligible_drop:g} %p: the Fig. 5 unit alone"
    a3 = _pair_label(units["largest_drop"][0], units["class_selective"][0])
    # The class with the largest share of its digits lost only after the pair (the paper: > 50 % of class 6).
    shares = pair_only_shares(result, network, a3)
    a3_class = max(shares, key=lambda c: (shares[c], -int(c)))
    pair, pair_ties = super_additive(exact)
    return result_rows + [
        Featured("fig12_super_additive_pair", pair, "all", PAIR_ROLES["super_additive"] + pair_ties),
        Featured("fig13_positive_synergy_pair", synergy[0], synergy[1], synergy_rule),
        Featured("figA2_negligible_set", "+".join(negligible), "all", set_rule),
        Featured("figA3_pair_of_fig03_and_fig04", a3, a3_class,
                 "the units of Figs. 3 and 4 together; its class: the largest share lost only after the pair"
                 + _ties(a3_class, sorted(shares, key=int), shares.__getitem__, "class")),
        Featured("figA4_singles_of_fig13", synergy[0], synergy[1], "the two units of the Fig. 13 pair, one at a time"),
    ]


def write(chosen: list[Featured], path: str) -> None:
    pd.DataFrame([asdict(f) for f in chosen]).rename(columns={"class_name": "class"}).to_csv(path, index=False)


def read(path: str) -> dict[str, Featured]:
    rows = pd.read_csv(path, dtype=str).to_dict("records")
    return {row["figure"]: Featured(row["figure"], row["units"], row["class"], row["rule"]) for row in rows}

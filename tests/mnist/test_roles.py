"""Which units and pairs the figures feature: exact scores from counts of test items, ties to the lower unit."""

import numpy as np
import pytest

from ablation.mnist import outcomes, roles, statistics
from ablation.mnist.outcomes import Ablation, Outcomes
from helpers import planted_outcomes


@pytest.fixture()
def result() -> Outcomes:
    rng = np.random.default_rng(7)
    ablations = outcomes.plan()
    labels = np.repeat(np.arange(10), 97)  # 97 items per class: class drops are not multiples of a nice step
    correct = rng.random((1, len(ablations), len(labels))) < 0.9
    index = {a: i for i, a in enumerate(ablations)}
    # Units 5 and 2 (1-based) are identical and hurt most: an exact tie that must go to unit 2.
    correct[0, index[Ablation("hidden1", (4,))]] = correct[0, index[Ablation("hidden1", (1,))]] = rng.random(970) < 0.5
    return Outcomes(["n"], ablations, labels, correct)


def test_ties_go_to_the_lower_unit_number(result):
    drops = outcomes.drops(outcomes.accuracy_table(result))
    chosen = roles.unit_roles(drops, "n")
    assert chosen["largest_drop"] == "2"
    assert len(set(chosen.values())) == len(roles.UNIT_ROLES), "a unit plays one role only"
    # Table order does not matter: shuffled rows pick the same units.
    assert roles.unit_roles(drops.sample(frac=1.0, random_state=0), "n") == chosen


def test_the_same_counts_give_the_same_choice_whatever_the_float_noise(result):
    """Another instruction set may move a logit's last bits; where the counts agree, so must the choice."""
    table = outcomes.accuracy_table(result)
    drops = outcomes.drops(table)
    noisy = table.assign(accuracy=table.accuracy + np.random.default_rng(0).uniform(-4e-5, 4e-5, len(table)))
    noisy_drops = outcomes.drops(noisy)
    assert roles.unit_roles(noisy_drops, "n") == roles.unit_roles(drops, "n")
    assert roles.pair_roles(noisy_drops, "n") == roles.pair_roles(drops, "n")


def test_pair_roles_follow_the_exact_interaction(result):
    drops = outcomes.drops(outcomes.accuracy_table(result))
    exact = roles.exact_drops(drops, "n", "hidden1")
    (pair, overall), synergy = roles.pair_roles(drops, "n")["super_additive"], roles.pair_roles(drops, "n")[
        "positive_synergy"]

    def interaction(pair: str, class_name: str):
        first, second = pair.split("+")
        return exact[pair][class_name] - exact[first][class_name] - exact[second][class_name]

    pairs = [units for units in exact if "+" in units]
    assert overall == "all" and interaction(pair, "all") == max(interaction(p, "all") for p in pairs)
    # Fig. 13: of the pairs whose singles both gain on a class and whose pair gains more, the largest excess.
    synergies = {(p, c): roles.pair_gain_excess(exact, p, c) for p in pairs for c in map(str, range(10))
                 if -exact[p.split("+")[0]][c] > 0 and -exact[p.split("+")[1]][c] > 0
                 and roles.pair_gain_excess(exact, p, c) > 0}
    assert synergies, "random outcomes of 97 items per class have positive synergies"
    assert synergy is not None and synergies[synergy] == max(synergies.values())
    # The exact interaction is the float table's, up to the table's rounding.
    table = statistics.pair_interactions(drops).query("layer == 'hidden1' and `class` == 'all'").set_index("units")
    assert float(interaction(pair, "all")) == pytest.approx(table.interaction[pair], abs=1e-3)


def planted(changes: dict[tuple[int, ...], list[tuple[int, int, bool]]]) -> Outcomes:
    """One network, 50 digits per class: the intact network gets items 0-9 of every class wrong, the rest right;
    `changes`: 0-based units -> (class, item within the class, right?) that the ablation changes."""
    ablations = outcomes.plan()
    labels = np.repeat(np.arange(10), 50)
    intact = np.tile(np.arange(50) >= 10, 10)
    correct = np.repeat(intact[None, None], len(ablations), axis=1).copy()
    for units, items in changes.items():
        for class_name, item, right in items:
            correct[0, ablations.index(Ablation("hidden1", units)), 50 * class_name + item] = right
    return Outcomes(["n"], ablations, labels, correct)


def gains(class_name: int, count: int, start: int = 0) -> list[tuple[int, int, bool]]:
    return [(class_name, start + item, True) for item in range(count)]  # items 0-9 are wrong when intact


def losses(class_name: int, count: int, start: int = 10) -> list[tuple[int, int, bool]]:
    return [(class_name, start + item, False) for item in range(count)]


def test_positive_synergy_needs_both_singles_to_gain():
    """The run's old rule counted a single loss as no gain and featured 17+19 (singles +0 and -13 %p); the paper's
    5+10 gains alone (+3.14, +0.45) and more together (+5.16)."""
    chosen_by = planted({
        (4,): gains(5, 1), (9,): gains(5, 1), (4, 9): gains(5, 4),  # 5+10 on class 5: 2 + 2 < 8 %p
        (18,): losses(4, 6), (16, 18): gains(4, 5) + losses(4, 6),  # 17+19 on class 4: a single loses
    })
    chosen = {f.figure: f for f in roles.featured(chosen_by, "n", "roles", 0.0)}
    assert (chosen["fig13_positive_synergy_pair"].units, chosen["fig13_positive_synergy_pair"].class_name) == (
        "5+10", "5")
    assert chosen["fig13_positive_synergy_pair"].rule.endswith("1 of 1 networks have one")
    exact = roles.exact_drops(outcomes.drops(outcomes.accuracy_table(chosen_by)), "n", "hidden1")
    assert roles.pair_gain_excess(exact, "17+19", "4") > roles.pair_gain_excess(exact, "5+10", "5")
    assert not roles.is_positive_synergy(exact, "17+19", "4") and roles.is_positive_synergy(exact, "5+10", "5")


def test_a_network_without_positive_synergy_says_so_and_shows_the_closest_pair():
    none = planted({(4,): gains(5, 2), (9,): gains(5, 1), (4, 9): gains(5, 3),  # 2 + 1 = 3: no excess
                    (18,): losses(4, 6), (16, 18): gains(4, 5)})
    chosen = {f.figure: f for f in roles.featured(none, "n", "roles", 0.0)}
    fig13 = chosen["fig13_positive_synergy_pair"]
    assert fig13.rule.startswith(f"{roles.NO_SYNERGY} in network n (0 of 1 networks have one)")
    # Closest: the pair whose singles both gain comes before a larger gain beyond a losing single.
    assert (fig13.units, fig13.class_name) == ("5+10", "5")
    assert chosen["figA4_singles_of_fig13"].units == "5+10"


def test_figA3_features_the_class_with_the_largest_share_lost_only_after_the_pair():
    """Unit 1 drops most overall, unit 2 one class; their pair loses 6 digits of class 8 that either alone keeps
    (12 %), while on class 9 it loses unit 2's gains: a larger drop beyond the singles (20 %p), but no digit lost
    only after the pair."""
    result = planted({
        (0,): [item for c in range(6) for item in losses(c, 5)],
        (1,): losses(7, 10) + gains(9, 10),
        (0, 1): [item for c in range(6) for item in losses(c, 5)] + losses(7, 10) + losses(8, 6),
        (2,): [item for c in range(6) for item in losses(c, 5, start=20)],  # as large as unit 1: a tie
        (3,): gains(9, 2),  # the largest class gain, so that unit 3 is left for Fig. A.1
    })
    chosen = {f.figure: f for f in roles.featured(result, "n", "roles", 0.0)}
    assert (chosen["fig03_largest_drop"].units, chosen["fig04_class_selective"].units) == ("1", "2")
    a3 = chosen["figA3_pair_of_fig03_and_fig04"]
    assert (a3.units, a3.class_name) == ("1+2", "8")
    assert roles.pair_only_shares(result, "n", "1+2") == {**{str(c): 0 for c in range(10)}, "8": 12}
    # Ties are shown: unit 3 drops exactly as much as unit 1.
    assert chosen["fig03_largest_drop"].rule.endswith("(tied with unit 3)")
    assert chosen["figA1_second_many_classes"].units == "3"
    assert chosen["figA1_second_many_classes"].rule.endswith("(tied with unit 1)")


def test_featured_units_by_role_find_the_planted_set_and_synergy():
    result = planted_outcomes()
    chosen = {f.figure: f for f in roles.featured(result, "n", "roles", negligible_drop=0.0)}
    assert chosen["figA2_negligible_set"].units == "3+8+15"
    assert chosen["fig05_negligible"].units == "3"
    assert (chosen["fig13_positive_synergy_pair"].units,
            chosen["fig13_positive_synergy_pair"].class_name) == ("5+10", "2")
    assert chosen["figA4_singles_of_fig13"].units == "5+10"
    pair = chosen["figA3_pair_of_fig03_and_fig04"].units.split("+")
    assert sorted(pair, key=int) == sorted([chosen["fig03_largest_drop"].units, chosen["fig04_class_selective"].units],
                                           key=int)
    # With no unit under the threshold, the set is the Fig. 5 unit alone, and its rule says so.
    costly = Outcomes(result.networks, result.ablations, result.labels, result.correct.copy())
    costly.correct[0, 1:, np.flatnonzero(result.correct[0, 0])[:10]] = False  # every ablation costs 10 more items
    lone = {f.figure: f for f in roles.featured(costly, "n", "roles", 0.5)}
    assert lone["figA2_negligible_set"].units == lone["fig05_negligible"].units
    assert "no unit" in lone["figA2_negligible_set"].rule


def test_featured_units_pinned_to_the_paper(tmp_path):
    chosen = roles.featured(planted_outcomes(), "n", "paper", 0.5)
    roles.write(chosen, tmp_path / "featured.csv")
    read = roles.read(tmp_path / "featured.csv")
    assert {figure: (f.units, f.class_name) for figure, f in read.items()} == roles.PAPER
    assert [read[figure].units for figure in ("fig03_largest_drop", "fig04_class_selective", "fig05_negligible",
                                              "fig06_subset_selective", "fig07_largest_class_gain",
                                              "figA1_second_many_classes")] == ["12", "19", "6", "20", "3", "16"]
    assert read["figA2_negligible_set"].units == "6+11+13+18" and read["fig13_positive_synergy_pair"].class_name == "5"

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
    (pair, overall), (synergy_pair, synergy_class) = (roles.pair_roles(drops, "n")[role] for role in roles.PAIR_ROLES)

    def interaction(pair: str, class_name: str):
        first, second = pair.split("+")
        return exact[pair][class_name] - exact[first][class_name] - exact[second][class_name]

    pairs = [units for units in exact if "+" in units]
    assert overall == "all" and interaction(pair, "all") == max(interaction(p, "all") for p in pairs)
    # Fig. 13: a pair that gains on its class, by more than its singles' gains together.
    gains = {(p, c): roles.pair_gain_excess(exact, p, c) for p in pairs for c in map(str, range(10)) if exact[p][c] < 0}
    assert exact[synergy_pair][synergy_class] < 0, "the pair gains on the class"
    assert gains[(synergy_pair, synergy_class)] == max(gains.values()) > 0
    # The exact interaction is the float table's, up to the table's rounding.
    table = statistics.pair_interactions(drops).query("layer == 'hidden1' and `class` == 'all'").set_index("units")
    assert float(interaction(pair, "all")) == pytest.approx(table.interaction[pair], abs=1e-3)


def test_featured_units_by_role_find_the_planted_set_and_synergy():
    drops = outcomes.drops(outcomes.accuracy_table(planted_outcomes()))
    chosen = {f.figure: f for f in roles.featured(drops, "n", "roles", negligible_drop=0.0)}
    assert chosen["figA2_negligible_set"].units == "3+8+15"
    assert chosen["fig05_negligible"].units == "3"
    assert (chosen["fig13_positive_synergy_pair"].units,
            chosen["fig13_positive_synergy_pair"].class_name) == ("5+10", "2")
    assert chosen["figA4_singles_of_fig13"].units == "5+10"
    pair = chosen["figA3_pair_of_fig03_and_fig04"].units.split("+")
    assert sorted(pair, key=int) == sorted([chosen["fig03_largest_drop"].units, chosen["fig04_class_selective"].units],
                                           key=int)
    # With no unit under the threshold, the set is the Fig. 5 unit alone, and its rule says so.
    lone = {f.figure: f for f in roles.featured(drops.assign(accuracy=drops.accuracy - 1.0), "n", "roles", 0.5)}
    assert lone["figA2_negligible_set"].units == lone["fig05_negligible"].units
    assert "no unit" in lone["figA2_negligible_set"].rule


def test_featured_units_pinned_to_the_paper(tmp_path):
    drops = outcomes.drops(outcomes.accuracy_table(planted_outcomes()))
    chosen = roles.featured(drops, "n", "paper", 0.5)
    roles.write(chosen, tmp_path / "featured.csv")
    read = roles.read(tmp_path / "featured.csv")
    assert {figure: (f.units, f.class_name) for figure, f in read.items()} == roles.PAPER
    assert [read[figure].units for figure in ("fig03_largest_drop", "fig04_class_selective", "fig05_negligible",
                                              "fig06_subset_selective", "fig07_largest_class_gain",
                                              "figA1_second_many_classes")] == ["12", "19", "6", "20", "3", "16"]
    assert read["figA2_negligible_set"].units == "6+11+13+18" and read["fig13_positive_synergy_pair"].class_name == "5"

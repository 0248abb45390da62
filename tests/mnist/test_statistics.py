import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from ablation.mnist import statistics
from ablation.mnist.network import initial_weights
from ablation.mnist.outcomes import Ablation, Outcomes, plan


def test_mann_whitney_matches_scipy_per_unit():
    initial, trained = initial_weights([0, 1]), initial_weights([2, 3])
    trained.fc1[:, 3] += 0.05  # one unit whose weights clearly moved
    table = statistics.mann_whitney(initial, trained, ["a", "b"])
    assert len(table) == 2 * (20 + 10)
    row = table.query("network == 'b' and layer == 'hidden1' and units == '4'").iloc[0]
    expected = stats.mannwhitneyu(trained.fc1[1, 3].numpy(), initial.fc1[1, 3].numpy(), alternative="two-sided")
    assert row.U == pytest.approx(expected.statistic) and row.p == pytest.approx(expected.pvalue)
    assert row.p < 1e-10
    row = table.query("network == 'a' and layer == 'hidden2' and units == '10'").iloc[0]
    assert row.p == pytest.approx(stats.mannwhitneyu(trained.fc2[0, 9].numpy(), initial.fc2[0, 9].numpy()).pvalue)


def test_correlation_matches_scipy_with_a_bootstrap_interval():
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    y = 0.7 * x + rng.normal(size=60)
    for method, function in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
        result = statistics.correlation(x, y, method, resamples=500, seed=0)
        assert result["coefficient"] == pytest.approx(function(x, y).statistic)
        assert result["p"] == pytest.approx(function(x, y).pvalue)
        assert result["ci_low"] < result["coefficient"] < result["ci_high"]
        assert result == statistics.correlation(x, y, method, resamples=500, seed=0)  # seeded


def test_correlation_interval_is_scipys_bootstrap_of_one_coefficient_at_a_time():
    """The vectorised coefficient resamples exactly as scipy's loop over single coefficients does, ties included."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 6, size=40).astype(float)  # ties: Spearman's ranks are means
    y = x + rng.normal(size=40)
    for method, function in (("pearson", stats.pearsonr), ("spearman", stats.spearmanr)):
        result = statistics.correlation(x, y, method, resamples=300, seed=3)
        expected = stats.bootstrap((x, y), lambda a, b, f=function: f(a, b).statistic, paired=True, vectorized=False,
                                   n_resamples=300, rng=np.random.default_rng(3)).confidence_interval
        assert result["ci_low"] == pytest.approx(expected.low, abs=1e-12)
        assert result["ci_high"] == pytest.approx(expected.high, abs=1e-12)


def _drops(values: dict[tuple[str, str], float]) -> pd.DataFrame:
    return pd.DataFrame([{"network": "n", "layer": "hidden1", "units": u, "class": c, "drop": d}
                         for (u, c), d in values.items()])


def test_pair_interaction_is_pair_drop_minus_single_drops():
    drops = _drops({("1", "all"): 2.0, ("2", "all"): 3.0, ("1+2", "all"): 9.0,
                    ("1", "0"): 1.0, ("2", "0"): -4.0, ("1+2", "0"): -5.0})
    table = statistics.pair_interactions(drops).set_index("class")
    assert table.loc["all", "interaction"] == 4.0 and table.loc["all", "single_sum"] == 5.0
    assert table.loc["0", "interaction"] == -2.0


def test_class_selectivity_is_the_std_across_units_per_network():
    rows = []
    for network, scale in (("a", 1.0), ("b", 3.0)):
        for unit, drop in (("1", 0.0), ("2", 2.0), ("3", 4.0), ("1+2", 50.0)):
            rows.append({"network": network, "layer": "hidden1", "units": unit, "class": "7", "drop": drop * scale})
    table = statistics.class_selectivity(pd.DataFrame(rows)).set_index("network")
    assert table.selectivity["a"] == pytest.approx(np.std([0, 2, 4]))  # pairs do not count
    assert table.selectivity["b"] == pytest.approx(np.std([0, 6, 12]))


def test_weight_change_correlations_pool_the_networks_other_than_the_focus():
    rng = np.random.default_rng(2)
    rows, mwu = [], []
    for network in ("focus", "x", "y"):
        for unit in range(1, 21):
            p = float(rng.uniform())
            mwu.append({"network": network, "layer": "hidden1", "units": str(unit), "U": 400 * p, "p": p})
            rows.append({"network": network, "layer": "hidden1", "units": str(unit), "class": "all",
                         "drop": 10 * (1 - p) + rng.normal()})
    summary, per_network = statistics.weight_change_vs_drop(pd.DataFrame(mwu), pd.DataFrame(rows), "focus", 200, 0)
    pooled = summary[(summary.scope == "other 2 networks") & (summary.measure == "p") & (summary.method == "pearson")]
    others = pd.DataFrame(mwu).merge(pd.DataFrame(rows)).query("network != 'focus'")
    assert (pooled.n.item() == 40
            and pooled.coefficient.item() == pytest.approx(stats.pearsonr(others.p, others["drop"])[0]))
    assert set(summary.scope) == {"network focus", "other 2 networks"} and len(per_network) == 3 * 2


def test_mean_interval_brackets_the_mean():
    values = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 2.5])
    mean, low, high = statistics.mean_interval(values, 500, 0)
    assert mean == pytest.approx(values.mean()) and low < mean < high
    assert np.isnan(statistics.mean_interval(values[:2], 500, 0)[1])


def test_class_gains_match_statsmodels_mcnemar_and_bh_fdr():
    rng = np.random.default_rng(3)
    ablations = plan()[:6]
    labels = rng.integers(0, 10, 400)
    correct = rng.random((2, len(ablations), 400)) < 0.8
    correct[0, 0, labels == 3] = False  # the intact network a fails class 3, its ablation 2 fixes it
    correct[0, 2, labels == 3] = True
    table = statistics.class_gains(Outcomes(["a", "b"], ablations, labels, correct), alpha=0.05)
    assert len(table) == 2 * 5 * 10
    for row in table.sample(15, random_state=0).itertuples():
        n, m = ["a", "b"].index(row.network), [a.label for a in ablations].index(row.units)
        selected = labels == int(row._4)
        intact, ablated = correct[n, 0, selected], correct[n, m, selected]
        b, c = int((~intact & ablated).sum()), int((intact & ~ablated).sum())
        assert (row.gained, row.lost) == (b, c)
        assert row.p == pytest.approx(mcnemar([[0, b], [c, 0]], exact=True).pvalue)
    assert np.allclose(table.q, multipletests(table.p, method="fdr_bh")[1])
    fixed = table.query("network == 'a' and units == '2' and `class` == '3'").iloc[0]
    assert fixed.significant_gain and fixed.gained > 5


def test_ablation_label_round_trip():
    assert Ablation("hidden1", (0, 19)).label == "1+20"


def test_a_planted_super_additive_pair_is_found_and_an_additive_one_is_not():
    """200 digits the intact network gets right. Units 1 and 2 each lose 10 digits; pair 1+2 loses those 20 and 30
    more (super-additive); pair 1+3 loses exactly its singles' digits (additive); pair 2+3 keeps 5 digits of
    the ones unit 2 loses (sub-additive)."""
    n = 200
    ablations = [Ablation("none", ()), *(Ablation("hidden1", (u,)) for u in range(3)),
                 *(Ablation("hidden1", pair) for pair in ((0, 1), (0, 2), (1, 2)))]
    correct = np.ones((1, len(ablations), n), dtype=bool)
    single = {0: range(0, 10), 1: range(10, 20), 2: range(20, 20)}  # unit 3 changes nothing alone
    for unit, items in single.items():
        correct[0, 1 + unit, list(items)] = False
    correct[0, 4, :50] = False  # 1+2: the singles' 20 and 30 of its own
    correct[0, 5, :10] = False  # 1+3: unit 1's
    correct[0, 6, 15:20] = False  # 2+3: half of unit 2's
    table = statistics.pair_tests(Outcomes(["net"], ablations, np.zeros(n, dtype=int), correct), alpha=0.05)
    rows = table.set_index("units")
    assert rows.loc["1+2", "lost_only_after_pair"] == 30 and rows.loc["1+2", "gained_only_after_pair"] == 0
    assert rows.loc["1+2", "p"] == pytest.approx(0.5 ** 30) and rows.loc["1+2", "super_additive"]
    assert rows.loc["1+2", "interaction"] == pytest.approx(100 * 30 / n)
    assert rows.loc["1+3", "lost_only_after_pair"] == 0 and rows.loc["1+3", "p"] == 1.0
    assert rows.loc["1+3", "interaction"] == 0 and not rows.loc["1+3", "super_additive"]
    assert not rows.loc["2+3", "super_additive"] and rows.loc["2+3", "interaction"] == pytest.approx(-100 * 5 / n)
    np.testing.assert_allclose(table.q, multipletests(table.p, method="fdr_bh")[1])


def test_every_ablation_drop_has_a_paired_interval_over_the_digits():
    """Two networks, 40 digits of classes 0 and 1: each ablation's drop is its lost minus gained digits, overall and
    per class, with the interval of a mean of -1/0/+1 per digit."""
    rng = np.random.default_rng(0)
    ablations = [Ablation("none", ()), Ablation("hidden1", (0,)), Ablation("hidden1", (1,))]
    labels = np.repeat([0, 1], 20)
    correct = rng.random((2, 3, 40)) < 0.7
    table = statistics.drop_intervals(Outcomes(["a", "b"], ablations, labels, correct))
    assert len(table) == 2 * 2 * 3  # networks x ablations x (all, 0, 1)
    for row in table.to_dict("records"):
        network, ablation = ["a", "b"].index(row["network"]), 1 + ["1", "2"].index(row["units"])
        chosen = slice(None) if row["class"] == "all" else labels == int(row["class"])
        change = correct[network, 0, chosen].astype(int) - correct[network, ablation, chosen].astype(int)
        half = 1.959963984540054 * change.std() / np.sqrt(len(change))
        assert (row["lost"], row["gained"]) == ((change == 1).sum(), (change == -1).sum())
        expected = 100 * (change.mean() + np.array([0, -half, half]))
        assert [row["drop"], row["ci_low"], row["ci_high"]] == pytest.approx(expected)

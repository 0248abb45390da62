"""The VGG study's derived tables (drops, grouping comparison, class selectivity, the layers that matter most, the
class tests), on planted tables with known drops (`vgg_tables`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import mcnemar

from ablation.core.statistics import paired_drop
from ablation.vgg import metric as vgg_metric
from ablation.vgg import statistics as vgg_statistics
from vgg_tables import (
    LAYERS,
    RATIOS,
    SLOPE,
    ablation_table,
    at_ceiling,
    grouping_factor,
    recovery_table,
    with_changes,
)


def test_layer_order_is_numeric_and_leaves_out_the_intact_network():
    assert vgg_statistics.layer_order(["features.10", "none", "features.3", "features.0", "features.3"]) == [
        "features.0", "features.3", "features.10"]


def test_drops_are_intact_minus_ablated_for_every_ablation_row(table):
    drops = vgg_statistics.drops(table)
    assert len(drops) == (table.layer != "none").sum() and (drops.layer != "none").all()
    row = drops.query("layer == 'features.3' and grouping == 'similarity' and ratio == 0.25 and group == 2 "
                      "and `class` == '7'").iloc[0]
    intact = table.query("layer == 'none' and `class` == '7'").iloc[0]
    assert row.top5_drop == pytest.approx(intact.top5 - row.top5)
    assert row.top1_drop == pytest.approx(intact.top1 - row.top1)
    assert row.top5_drop == pytest.approx(80 * 0.25 + 2 + 2.0 * (7 - 4.5))
    assert row.top1_drop == pytest.approx(2 * row.top5_drop)


def test_drops_need_the_intact_network(table):
    with pytest.raises(ValueError, match="intact"):
        vgg_statistics.drops(table[table.layer != "none"])


def test_grouping_comparison_summarises_the_all_class_drops(table):
    summary = vgg_statistics.grouping_comparison(table, "top5")
    assert list(zip(summary.grouping, summary.ratio)) == [
        (g, r) for g in ("similarity", "random", "l1") for r in RATIOS]
    row = summary.query("grouping == 'similarity' and ratio == 0.25").iloc[0]
    values = np.array([base * 0.25 + group for base in LAYERS.values() for group in range(3)])
    assert row.layers == 4 and row.ablations == 12
    assert row.top5_drop_mean == pytest.approx(values.mean())
    assert row.top5_drop_sd == pytest.approx(values.std(ddof=0))
    assert (row.top5_drop_min, row.top5_drop_max) == pytest.approx((values.min(), values.max()))
    assert row.top1_drop_mean == pytest.approx(2 * values.mean())
    l1 = summary.query("grouping == 'l1' and ratio == 0.05").iloc[0]
    assert l1.ablations == 4 and l1.top5_drop_sd == pytest.approx(
        np.std([grouping_factor("l1", layer) * base * 0.05 for layer, base in LAYERS.items()]))
    # Similarity hurts most at every layer but one, where l1 does; random never.
    assert (summary.metric == "top5").all()
    counts = summary.set_index(["grouping", "ratio"]).layers_with_largest_drop
    for ratio in RATIOS:
        assert (counts["similarity", ratio], counts["random", ratio], counts["l1", ratio]) == (3, 0, 1)


def test_class_selectivity_is_the_population_sd_across_classes(table):
    selectivity = vgg_statistics.class_selectivity(table, "top5")
    assert len(selectivity) == 4 * 3 * 2 and (selectivity.classes == 10).all()
    assert list(selectivity.layer.unique()) == ["features.0", "features.3", "features.10", "features.49"]
    spread = np.std(np.arange(10) - 4.5, ddof=0)  # the base and group terms are the same for every class
    for row in selectivity.itertuples():
        assert row.selectivity == pytest.approx(SLOPE[row.layer] * spread)
    # The group mean comes first: ddof=0 over the 10 class means, not over the 30 (class, group) values.
    part = vgg_statistics.drops(table).query("layer == 'features.49' and grouping == 'random' and ratio == 0.05 "
                                              "and `class` != 'all'")
    expected = part.groupby("class").top5_drop.mean().std(ddof=0)
    assert selectivity.query("layer == 'features.49' and grouping == 'random' and ratio == 0.05").selectivity.iloc[0] \
        == pytest.approx(expected)


def test_largest_drop_layers_picks_the_worst_layers_at_the_largest_ratio(table):
    assert vgg_statistics.largest_drop_layers(table, "top5") == ["features.3", "features.49"]
    assert vgg_statistics.largest_drop_layers(table, "top5", count=1, grouping="random") == ["features.3"]
    # At 25 %, l1 hurts features.0 the most (10 * 0.25 * 4 = 10) after features.3 and features.49.
    assert vgg_statistics.largest_drop_layers(table, "top5", count=3, grouping="l1") == [
        "features.0", "features.3", "features.49"]
    with pytest.raises(ValueError, match="groupings"):
        vgg_statistics.largest_drop_layers(table, "top5", grouping="magnitude")


def test_the_leading_metric_decides_the_most_important_layers(table):
    """Top-1 drops that rank the layers otherwise than top-5: the leading metric decides."""
    swapped = table.copy()
    hurt = (swapped.layer == "features.10") & (swapped.ratio == 0.25)
    swapped.loc[hurt, "top1"] -= 60.0  # features.10 loses much top-1, no top-5
    assert vgg_statistics.most_important_layers(swapped, "top5", "literal") == ["features.3", "features.49"]
    assert vgg_statistics.most_important_layers(swapped, "top1", "literal") == ["features.3", "features.10"]


@pytest.mark.parametrize(("setting", "classes", "metric"), [
    ("auto", 10, "top1"), ("auto", 99, "top1"), ("auto", 100, "top5"), ("auto", 1000, "top5"),
    ("top5", 10, "top5"), ("top1", 1000, "top1")])
def test_the_leading_metric_is_top5_only_with_enough_classes(setting, classes, metric):
    assert vgg_metric.leading(setting, classes) == metric
    assert vgg_metric.reason(setting, classes).startswith(vgg_metric.LABELS[metric])


def test_an_unknown_metric_setting_is_refused():
    with pytest.raises(ValueError, match="top3.*auto, top1, top5"):
        vgg_metric.leading("top3", 10)


def test_largest_drop_layers_compare_images_lost_and_break_ties_by_layer_order():
    rows = [("none", "none", 0.0, 0, 0, "all", 50, 80.0, 90.0)]
    for layer, top5 in (("features.30", 80.0), ("features.20", 80.0 + 1e-5), ("features.10", 80.0),
                        ("features.40", 86.0)):
        rows.append((layer, "similarity", 0.25, 0, 16, "all", 50, 70.0, top5))
    table = pd.DataFrame(rows, columns=["layer", "grouping", "ratio", "group", "filters", "class", "images",
                                        "top1", "top5"])
    # Three layers lose the same 5 of 50 images (one up to float noise): the earliest wins.
    assert vgg_statistics.largest_drop_layers(table, "top5", count=1) == ["features.10"]
    assert vgg_statistics.largest_drop_layers(table, "top5", count=3) == ["features.10", "features.20", "features.30"]


def test_class_changes_are_mcnemar_tests_with_paired_intervals():
    table = with_changes(ablation_table())
    chosen = (table.layer == "features.3") & (table.ratio == 0.25) & (table.group == 0) & (table.semantics == "literal")
    table.loc[chosen & (table["class"] == "4"), ["top5_gained", "top5_lost"]] = [30, 1]  # class 4 clearly improves
    table.loc[chosen & (table["class"] == "5"), ["top5_gained", "top5_lost"]] = [0, 40]  # class 5 clearly suffers
    changes = vgg_statistics.class_changes(table, 0.05, "top5")
    assert list(changes.semantics.unique()) == ["literal", "activation"] and (changes["class"] != "all").all()
    row = changes.iloc[7]
    assert row.metric == "top5" and (row.gained, row.lost) == (table.top5_gained.iloc[19], table.top5_lost.iloc[19])
    assert row.p == pytest.approx(mcnemar([[0, row.gained], [row.lost, 0]], exact=True).pvalue)
    n, b, c = row.images, row.gained, row.lost
    assert row.accuracy_drop == pytest.approx(100 * (c - b) / n) and row.ci_low < row.accuracy_drop < row.ci_high
    planted = changes[(changes.layer == "features.3") & (changes.ratio == 0.25) & (changes.group == 0)
                      & (changes.semantics == "literal")].set_index(["grouping", "class"])
    assert (planted.significant_gain.xs("4", level="class").all()
            and planted.significant_loss.xs("5", level="class").all())
    assert set(changes[changes.significant_gain]["class"]) == {"4"}, "only the planted gain is significant"
    assert changes.q.between(0, 1).all() and (changes.q >= changes.p).all()


def test_class_changes_test_the_metric_asked_for():
    table = with_changes(ablation_table())
    table["top1_gained"] = table.top5_gained + 7
    top1, top5 = (vgg_statistics.class_changes(table, 0.05, metric) for metric in ("top1", "top5"))
    assert (top1.gained == top5.gained + 7).all() and (top1.metric == "top1").all()


def test_a_class_test_that_cannot_reach_significance_is_not_testable():
    """McNemar's exact p with b gained and none lost is 2 x 0.5^b, and BH's q is never below p: 4 misses give
    0.125 even when every test gains all of them, 6 give 0.031 < 0.05 (q equals p when every test has the same p)."""
    few = vgg_statistics.class_changes(at_ceiling(ablation_table(), 4), 0.05, "top5")
    assert not few.gain_testable.any() and not few.significant_gain.any()
    assert few.best_gain_q.min() == pytest.approx(0.125)
    enough = vgg_statistics.class_changes(at_ceiling(ablation_table(), 6), 0.05, "top5")
    assert enough.gain_testable.all() and enough.significant_gain.all()
    assert enough.best_gain_q.max() == pytest.approx(2 * 0.5 ** 6)


def test_every_drop_has_its_paired_interval_over_the_images(table):
    """Each non-intact row of the sweep, both metrics: the drop is intact minus ablated accuracy, from the images
    gained and lost, inside its interval."""
    changed = with_changes(table)
    intervals = vgg_statistics.drop_intervals(changed)
    ablated = changed[changed.layer != "none"]
    assert len(intervals) == 2 * len(ablated)
    for metric in ("top1", "top5"):
        part = intervals[intervals.metric == metric]
        expected = 100 * (part.lost - part.gained) / part.images
        assert np.allclose(part["drop"], expected)
        assert ((part.ci_low <= part["drop"]) & (part["drop"] <= part.ci_high)).all()
    # The interval of a mean of -1/0/+1 per image: n = 100, 6 lost and 2 gained.
    drop, low, high = paired_drop(np.array([2]), np.array([6]), np.array([100]))
    per_image = np.r_[np.ones(6), -np.ones(2), np.zeros(92)]
    half = 1.959963984540054 * per_image.std() / np.sqrt(100)
    assert np.allclose([drop[0], low[0], high[0]], 100 * (per_image.mean() + np.array([0, -half, half])))


def test_recovery_gaps_are_paired_per_pass_and_combined_over_passes():
    recovery = recovery_table(1)
    gaps = vgg_statistics.recovery_gaps(recovery)
    top1 = gaps[(gaps.layer == "features.3") & (gaps.metric == "top1")].set_index("pass")
    last = recovery[recovery.layer == "features.3"].sort_values(["pass", "epoch"]).groupby("pass").last()
    for number in ("1", "2", "3"):
        assert top1.loc[number, "gap"] == pytest.approx(70.0 - last.loc[int(number), "top1"])
    per_pass = top1.loc[["1", "2", "3"]]
    summary = top1.loc["all"]
    assert summary.gap == pytest.approx(per_pass.gap.mean()) and summary.over == "3 passes and images"
    # Wider than the passes' spread alone and than any pass's image interval alone.
    half = (summary.ci_high - summary.ci_low) / 2
    assert half > 1.959963984540054 * per_pass.gap.std(ddof=1) / np.sqrt(3)
    assert half > ((per_pass.ci_high - per_pass.ci_low) / 2).mean()


def test_semantics_rankings_agree_with_themselves_and_disagree_with_their_reverse(table):
    reversed_ = table.copy()
    ablated = reversed_.layer != "none"
    intact = table[~ablated].set_index("class").top1
    drop = intact.reindex(table["class"]).to_numpy() - table.top1.to_numpy()
    reversed_.loc[ablated, "top1"] = (intact.reindex(table["class"]).to_numpy() + drop)[ablated]  # drops negated
    both = pd.concat([table.assign(semantics="literal"), table.assign(semantics="same"),
                      reversed_.assign(semantics="reversed")], ignore_index=True)
    rankings = vgg_statistics.semantics_rankings(both, "top1", top=2, resamples=200, seed=0)
    rankings = rankings.set_index(["semantics", "ranking", "ratio"])
    assert len(rankings) == 2 * 2 * 2 and set(rankings.reference) == {"literal"}
    same, opposite = rankings.loc["same"], rankings.loc["reversed"]
    assert (same.spearman == 1).all() and (same.overlap == 1).all() and (same.spearman_low == 1).all()
    assert (opposite.spearman == -1).all() and (opposite.overlap == 0).all()
    assert (rankings.xs("layers", level="ranking")["items"] == 4).all()
    assert (rankings.xs("groups", level="ranking")["items"] == 4 * 7).all()

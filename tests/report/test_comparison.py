"""The paper comparison's VGG rows on planted tables (`vgg_tables`): "not comparable here" where the run cannot
decide, and the recovery rows; and the MNIST rows of places on the t-SNE map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ablation.mnist.outcomes import Ablation
from ablation.mnist.roles import Featured
from ablation.report import comparison
from ablation.report.comparison import NOT_COMPARABLE, vgg_rows
from ablation.vgg import statistics as vgg_statistics
from helpers import planted_outcomes
from vgg_tables import ablation_table, at_ceiling, recovery_table, with_top1


def test_the_comparison_says_not_comparable_where_no_class_test_can_show_a_gain():
    few = at_ceiling(ablation_table(), 4)
    rows = vgg_rows(few, vgg_statistics.class_changes(few, 0.05, "top5"), {}, pd.DataFrame(), null_table(),
                    "digits", "literal").set_index("claim")
    gain = rows.loc[rows.index.str.startswith("classes whose top-5 rises")].iloc[0]
    assert gain.verdict.startswith(f"{NOT_COMPARABLE}: no class test can reach q < alpha")
    assert "misses at most 4 of a class's 50-50 images" in gain.verdict and "0 could" in gain.value
    enough = at_ceiling(ablation_table(), 6)
    rows = vgg_rows(enough, vgg_statistics.class_changes(enough, 0.05, "top5"), {}, pd.DataFrame(), null_table(),
                    "digits", "literal").set_index("claim")
    assert rows.loc[rows.index.str.startswith("classes whose top-5 rises")].verdict.iloc[0] == "holds"
    # 10 classes: the paper's layers belong to its ImageNet network; every verdict says how it was decided.
    assert rows.loc[rows.index.str.startswith("the two most important")].verdict.iloc[0].startswith(NOT_COMPARABLE)
    judged = rows[rows.verdict != ""]
    assert (judged.tolerance != "").all() and not judged.tolerance.str.contains(r"± 0\.00").any()


def test_recovery_rows_are_not_comparable_where_the_ablation_costs_nothing():
    recovery = recovery_table(1)
    cheap = with_top1(recovery, (recovery["pass"] > 0).to_numpy(), 69.5)  # cost 0.5 %p, gap 0.5 %p
    rows = pd.DataFrame(_recovery_rows(cheap, 1, "top1"))
    assert rows.verdict.iloc[0] == (f"{NOT_COMPARABLE}: the ablations took at most 0.50 %p of top-1, under the 1 %p "
                                    "bound before any retraining")
    assert rows.verdict.iloc[1].startswith(NOT_COMPARABLE)
    costly = pd.DataFrame(_recovery_rows(recovery, 1, "top1"))  # cost over 30 %p, never recovered
    assert costly.verdict.iloc[0] == "does not hold"
    assert costly.tolerance.iloc[0].startswith("95 % interval over 3 passes and images")


def test_recovery_to_within_the_bound_is_decided_by_the_gaps_interval():
    """The gap's interval (paired over 1,000 images, and over the passes) wholly below 1 %p, containing it, above."""
    recovery = recovery_table(1)
    last = (recovery.epoch == recovery.groupby(["layer", "pass"]).epoch.transform("max")) & (recovery["pass"] > 0)
    for finals, verdict in (((69.8, 69.8, 69.8), "holds"), ((69.5, 68.5, 69.0), NOT_COMPARABLE),
                            ((67.0, 67.0, 67.0), "does not hold")):
        top1 = np.where(last, np.array(finals)[(recovery["pass"].to_numpy() - 1) % 3], recovery.top1)
        recovered = with_top1(recovery, last.to_numpy(), top1)
        row = pd.DataFrame(_recovery_rows(recovered, 1, "top1")).iloc[0]
        gap = vgg_statistics.recovery_gaps(recovered[recovered.layer == "features.3"]).query(
            "metric == 'top1' and `pass` == 'all'").iloc[0]
        assert row.value == f"{gap.gap:.2f} [{gap.ci_low:.2f}, {gap.ci_high:.2f}]"
        assert row.verdict.startswith(verdict), (finals, row.verdict)


def test_the_similarity_claim_is_decided_only_by_a_null_that_can_reach_significance():
    table = at_ceiling(ablation_table(), 6)
    changes = vgg_statistics.class_changes(table, 0.05, "top5")

    def verdict(null: pd.DataFrame) -> str:
        rows = vgg_rows(table, changes, {}, pd.DataFrame(), null, "digits", "literal").set_index("claim")
        return rows.loc[rows.index.str.startswith("similarity groups are more harmful")].verdict.iloc[0]

    assert verdict(null_table(draws=19)).startswith(f"{NOT_COMPARABLE}: with at most 19 random groups the smallest "
                                                    "p-value is 0.05")
    assert verdict(null_table(draws=99, significant=True)) == "holds"
    assert verdict(null_table(draws=99)) == "does not hold"
    assert verdict(null_table(draws=99, alternative="two-sided")).startswith(f"{NOT_COMPARABLE}: the null was tested")


def test_the_share_ablated_in_experiment_2_follows_the_ratio_drawn():
    recovery = recovery_table(2, epochs=(1, 1, 1))
    recovery["ablated_filters"] = recovery.iteration * recovery.layer_filters // 8  # 12.5 % a draw, not 25 %
    share = pd.DataFrame(_recovery_rows(recovery, 2, "top5")).iloc[0]
    assert share.other == "expected after 3 draws of 12.5 %: 1 - (1 - 0.125)^3 = 33 %"
    assert share.verdict == f"{NOT_COMPARABLE}: 3 iterations drawing 12.5 % each (the paper: 6 of 25 %)"


def _recovery_rows(recovery: pd.DataFrame, experiment: int, metric: str) -> list[dict[str, str]]:
    rows = comparison._recovery1_rows if experiment == 1 else comparison._recovery2_rows
    layer = recovery[recovery.layer == "features.3"]
    gaps = vgg_statistics.recovery_gaps(layer)
    step = "pass" if experiment == 1 else "iteration"
    return rows(layer, gaps.astype({step: str}), "literal", metric)


def null_table(draws: int = 19, significant: bool = False, alternative: str = "greater") -> pd.DataFrame:
    """`ablation.vgg.nulls`' tests of two similarity and two L1 groups, one similarity group significant if asked."""
    return pd.DataFrame({"semantics": "literal", "metric": "top5", "layer": "features.3", "ratio": 0.25,
                         "grouping": ["similarity", "similarity", "l1", "l1"], "group": [0, 1, 0, 1],
                         "drop": 1.0, "alternative": alternative, "draws": draws, "p": 0.5, "q": 0.5, "alpha": 0.05,
                         "significant": [significant, False, False, False]})


def test_a_ranking_holds_under_every_semantics_only_where_every_interval_clears_the_bound():
    def rankings(*intervals: tuple[float, float]) -> pd.DataFrame:
        return pd.DataFrame([{"semantics": f"s{index}", "reference": "zero", "ranking": "hidden1 units",
                              "spearman": (low + high) / 2, "spearman_low": low, "spearman_high": high, "top": 3,
                              "overlap": 1.0, "overlap_low": np.nan, "overlap_high": np.nan}
                             for index, (low, high) in enumerate(intervals)])

    def verdict(*intervals: tuple[float, float]) -> str:
        rows = comparison.semantics_rows(rankings(*intervals), "mnist")
        assert len(rows) == 1 and "s0: rho" in rows[0]["value"]
        return rows[0]["verdict"]

    bound = comparison.RANK_AGREEMENT
    assert verdict((bound + 0.1, 0.9), (bound + 0.2, 1.0)) == "holds"
    assert verdict((bound + 0.1, 0.9), (0.0, bound - 0.1)) == "does not hold"
    assert verdict((bound + 0.1, 0.9), (bound - 0.1, 0.9)).startswith(NOT_COMPARABLE)
    assert verdict((np.nan, np.nan)).startswith(NOT_COMPARABLE)
    assert comparison.semantics_rows(rankings()[:0], "mnist") == []


def test_a_place_on_the_map_is_judged_for_the_papers_unit_of_the_authors_network_on_the_authors_map_only():
    """Fig. 3's place: unit 12's newly wrong digits, here planted so that 3 of 4 lie in the map's upper half."""
    run = planted_outcomes()
    twelve = run.index(Ablation("hidden1", (11,)))
    run.correct[0, twelve] = run.correct[0, 0]
    wrong = np.flatnonzero(run.correct[0, 0])[:4]
    run.correct[0, twelve, wrong] = False
    positions = pd.DataFrame({"x": np.zeros(500), "y": np.full(500, -1.0), "map": "authors"})
    positions.loc[wrong[:3], "y"] = 1.0  # the map's range [-1, 1]: its upper half above 0
    chosen = {figure: Featured(figure, units, "all", "") for figure, units in
              (("fig03_largest_drop", "12"), ("figA1_second_many_classes", "16"))}
    runs = {"clean": run, "as_published": run}
    judged = comparison._place_rows(runs, chosen, "clean", "n", True, positions)[0]
    assert (judged["value"], judged["verdict"]) == ("75.00 of 4", "holds")
    for authors, map_kind, reason in ((False, "authors", "unit 12 of the authors' network"),
                                      (True, "computed", "the map is computed in this run")):
        row = comparison._place_rows(runs, chosen, "clean", "n", authors, positions.assign(map=map_kind))[0]
        assert (row["value"], row["verdict"]) == ("", NOT_COMPARABLE) and reason in row["tolerance"]
    other_unit = {**chosen, "fig03_largest_drop": Featured("fig03_largest_drop", "4", "all", "")}
    assert comparison._place_rows(runs, other_unit, "clean", "n", True, positions)[0]["verdict"] == NOT_COMPARABLE

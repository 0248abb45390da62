"""The paper comparison's VGG rows on planted tables (`vgg_tables`): "not comparable here" where the run cannot
decide, and the recovery rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ablation.report import comparison
from ablation.report.comparison import NOT_COMPARABLE, vgg_rows
from ablation.vgg import statistics as vgg_statistics
from vgg_tables import ablation_table, at_ceiling, recovery_table


def test_the_comparison_says_not_comparable_where_no_class_test_can_show_a_gain():
    few = at_ceiling(ablation_table(), 4)
    rows = vgg_rows(few, vgg_statistics.class_changes(few, 0.05, "top5"), {}, "digits", "literal").set_index("claim")
    gain = rows.loc[rows.index.str.startswith("classes whose top-5 rises")].iloc[0]
    assert gain.verdict.startswith(f"{NOT_COMPARABLE}: no class test can reach q < alpha")
    assert "misses at most 4 of a class's 50-50 images" in gain.verdict and "0 could" in gain.value
    enough = at_ceiling(ablation_table(), 6)
    rows = vgg_rows(enough, vgg_statistics.class_changes(enough, 0.05, "top5"), {}, "digits", "literal").set_index(
        "claim")
    assert rows.loc[rows.index.str.startswith("classes whose top-5 rises")].verdict.iloc[0] == "holds"
    # 10 classes: the paper's layers belong to its ImageNet network; every verdict says how it was decided.
    assert rows.loc[rows.index.str.startswith("the two most important")].verdict.iloc[0].startswith(NOT_COMPARABLE)
    judged = rows[rows.verdict != ""]
    assert (judged.tolerance != "").all() and not judged.tolerance.str.contains(r"± 0\.00").any()


def test_recovery_rows_are_not_comparable_where_the_ablation_costs_nothing():
    recovery = recovery_table(1)
    cheap = recovery.assign(top1=np.where(recovery["pass"] > 0, 69.5, recovery.top1))  # cost 0.5 %p, gap 0.5 %p
    rows = pd.DataFrame(_recovery_rows(cheap, 1, "top1"))
    assert rows.verdict.iloc[0] == (f"{NOT_COMPARABLE}: the ablations took at most 0.50 %p of top-1, under the 1 %p "
                                    "bound before any retraining")
    assert rows.verdict.iloc[1].startswith(NOT_COMPARABLE)
    costly = pd.DataFrame(_recovery_rows(recovery, 1, "top1"))  # cost over 30 %p, never recovered
    assert costly.verdict.iloc[0] == "does not hold" and costly.tolerance.iloc[0] == "threshold: gap < 1 %p"


def test_the_share_ablated_in_experiment_2_follows_the_ratio_drawn():
    recovery = recovery_table(2, epochs=(1, 1, 1))
    recovery["ablated_filters"] = recovery.iteration * recovery.layer_filters // 8  # 12.5 % a draw, not 25 %
    share = pd.DataFrame(_recovery_rows(recovery, 2, "top5")).iloc[0]
    assert share.other == "expected after 3 draws of 12.5 %: 1 - (1 - 0.125)^3 = 33 %"
    assert share.verdict == f"{NOT_COMPARABLE}: 3 iterations drawing 12.5 % each (the paper: 6 of 25 %)"


def _recovery_rows(recovery: pd.DataFrame, experiment: int, metric: str) -> list[dict[str, str]]:

    rows = comparison._recovery1_rows if experiment == 1 else comparison._recovery2_rows
    return rows(recovery[recovery.layer == "features.3"], "literal", metric)

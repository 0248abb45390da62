"""The VGG study's figures, as data: id -> the paper figure it reproduces (`fig14_` ... `fig22_`, numbered as in the
paper; `extra_`: figures the paper does not have), a short title, the result files it reads, its report category.
Light on purpose: the workflow reads it when it is parsed.
"""

from __future__ import annotations

from collections.abc import Iterable

from ablation.core.figure_spec import FigureSpec

TABLE, CLASSES, CHANGES, SELECTIVITY = "table", "classes", "class_changes", "selectivity"
CHOICES = "choices"  # results/vgg/choices.json: every VGG figure reads it (ablation.vgg.choices)
RECOVERY1, RECOVERY2, SHAPLEY_VALUES = "recovery1", "recovery2", "shapley_values"
NULL_TESTS, NULL_DRAWS = "null_tests", "null_draws"
SEMANTICS_RANKINGS = "semantics_rankings"
STUDY = "VGG19-BN"  # the study label of its report entries
# The report's categories, numbered in reading order across both studies (ablation.core.figure_spec).
SWEEP, CLASS_VIEW, RECOVERY = ("08 VGG19-BN: filter-group ablations", "09 VGG19-BN: classes",
                               "10 VGG19-BN: recovery training")
EXTRA = "13 VGG19-BN: beyond the paper"
FIGURES = {
    "fig14_top5_drop_per_layer": FigureSpec("Fig. 14", "Top-5 drop per layer", (TABLE,), SWEEP),
    "fig15_top1_drop_per_layer": FigureSpec("Fig. 15", "Top-1 drop per layer", (TABLE,), SWEEP),
    "fig16_class_drops_first_layer": FigureSpec("Fig. 16", "Class drops, first class layer",
                        (TABLE, CLASSES, CHANGES), CLASS_VIEW),
    "fig17_class_drops_second_layer": FigureSpec("Fig. 17", "Class drops, second class layer",
                        (TABLE, CLASSES, CHANGES), CLASS_VIEW),
    "fig18_class_lines_across_layers": FigureSpec("Fig. 18", "Classes across the layers", (TABLE, CLASSES), CLASS_VIEW),
    "fig19_recovery1_first_layer": FigureSpec("Fig. 19", "Recovery experiment 1, first layer", (RECOVERY1,), RECOVERY),
    "fig20_recovery1_second_layer": FigureSpec("Fig. 20", "Recovery experiment 1, second layer",
                        (RECOVERY1,), RECOVERY),
    "fig21_recovery2_first_layer": FigureSpec("Fig. 21", "Recovery experiment 2, first layer", (RECOVERY2,), RECOVERY),
    "fig22_recovery2_second_layer": FigureSpec("Fig. 22", "Recovery experiment 2, second layer",
                        (RECOVERY2,), RECOVERY),
    "extra_vgg_ratio_curves": FigureSpec(None, "Drop against share ablated", (TABLE,), EXTRA),
    "extra_vgg_grouping_comparison": FigureSpec(None, "Groupings compared", (TABLE,), EXTRA),
    "extra_vgg_class_heatmap": FigureSpec(None, "Class drops of every layer", (TABLE, CLASSES), EXTRA),
    "extra_vgg_class_selectivity": FigureSpec(None, "Class selectivity per layer", (SELECTIVITY,), EXTRA),
    "extra_vgg_semantics": FigureSpec(None, "Ablation semantics compared", (TABLE,), EXTRA),
    "extra_vgg_rankings_by_semantics": FigureSpec(None, "Ablation semantics: rankings compared",
                                               (TABLE, SEMANTICS_RANKINGS), EXTRA),
    "extra_vgg_null_bands": FigureSpec(None, "Filter groups against random groups", (NULL_TESTS, NULL_DRAWS), EXTRA),
    "extra_vgg_shapley": FigureSpec(None, "Shapley values of filter groups", (SHAPLEY_VALUES,), EXTRA),
}
# The figures of vgg.shapley (made only when it is enabled).
SHAPLEY_FIGURES = ("extra_vgg_shapley",)
# What the figures choose, which their captions name too.
PAPER_RATIOS = (0.1, 0.25)  # the ratios of the paper's Figs. 14, 15 and 18
CROSSING_CLASSES = 6  # classes drawn as lines in Fig. 18
EXTREMES = 5  # most hurt and helped classes named in Figs. 16, 17, where there are more than twice as many classes


def percent(fraction: float) -> str:
    """0.25 -> '25 %'."""
    return f"{100 * fraction:g} %"


def paper_ratios(ratios: Iterable[float]) -> list[float]:
    """The ratios of the paper's Figs. 14, 15 and 18 (10 % and 25 %), or the two largest swept if either is missing."""
    available = sorted(set(ratios))
    return list(PAPER_RATIOS) if set(PAPER_RATIOS) <= set(available) else available[-2:]


# The figures of each recovery experiment, left out when the experiment is not run.
RECOVERY_FIGURES = {1: ("fig19_recovery1_first_layer", "fig20_recovery1_second_layer"),
                    2: ("fig21_recovery2_first_layer", "fig22_recovery2_second_layer")}

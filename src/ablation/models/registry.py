"""The figures of the filter study on other models, as data: id -> a short title, the result files it reads, its
report category (one per model: `{model}` is the model's name in the config, filled in by Snakemake). Every model's
figures have the same ids, under results/models/<model>/figures/. Light on purpose: the workflow reads it when it is
parsed.
"""

from __future__ import annotations

from ablation.core.figure_spec import FigureSpec

TABLE, UNITS, SEMANTICS_RANKINGS, SHAPLEY_VALUES = "table", "units", "semantics_rankings", "shapley_values"
RECOVERY1, RECOVERY2 = "recovery1", "recovery2"
STUDY = "{model}"  # the study label of a model's report entries: its name
CATEGORY = "14 Other models: {model}"  # after both studies' (ablation.core.figure_spec)
FIGURES = {
    "extra_model_top5_drop_per_layer": FigureSpec(None, "Top-5 drop per layer", (TABLE, UNITS), CATEGORY),
    "extra_model_top1_drop_per_layer": FigureSpec(None, "Top-1 drop per layer", (TABLE, UNITS), CATEGORY),
    "extra_model_ratio_curves": FigureSpec(None, "Drop against share ablated", (TABLE, UNITS), CATEGORY),
    "extra_model_grouping_comparison": FigureSpec(None, "Groupings compared", (TABLE, UNITS), CATEGORY),
    "extra_model_semantics_by_layer": FigureSpec(None, "Ablation semantics compared", (TABLE, UNITS), CATEGORY),
    "extra_model_rankings_by_semantics": FigureSpec(None, "Ablation semantics: rankings compared",
                                                    (TABLE, UNITS, SEMANTICS_RANKINGS), CATEGORY),
    "extra_model_shapley": FigureSpec(None, "Shapley values of unit groups", (SHAPLEY_VALUES, UNITS), CATEGORY),
    "extra_model_recovery1_first_layer": FigureSpec(None, "Recovery experiment 1, first layer", (RECOVERY1, UNITS),
                                                    CATEGORY),
    "extra_model_recovery1_second_layer": FigureSpec(None, "Recovery experiment 1, second layer",
                                                     (RECOVERY1, UNITS), CATEGORY),
    "extra_model_recovery2_first_layer": FigureSpec(None, "Recovery experiment 2, first layer", (RECOVERY2, UNITS),
                                                    CATEGORY),
    "extra_model_recovery2_second_layer": FigureSpec(None, "Recovery experiment 2, second layer",
                                                     (RECOVERY2, UNITS), CATEGORY),
}
# The figures that compare semantics: made only with two semantics or more.
SEMANTICS_FIGURES = ("extra_model_semantics_by_layer", "extra_model_rankings_by_semantics")
# The Shapley figure (made only where the model's entry asks for Shapley values).
SHAPLEY_FIGURES = ("extra_model_shapley",)
# The figures of each recovery experiment (made only where the model's entry asks for recovery).
RECOVERY_FIGURES = {1: ("extra_model_recovery1_first_layer", "extra_model_recovery1_second_layer"),
                    2: ("extra_model_recovery2_first_layer", "extra_model_recovery2_second_layer")}

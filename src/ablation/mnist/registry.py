"""The MNIST study's figures, as data: id -> the paper figure it reproduces (`fig01_` ... `fig13_`, `figA1_` ...
`figA4_`, numbered as in the paper; `extra_`: figures the paper does not have), a short title, the result files it
reads, its report category. Light on purpose: the workflow reads it when it is parsed.
"""

from __future__ import annotations

from ablation.core.figure_spec import FigureSpec

TABLE, RUN, FEATURED, TSNE, NETWORKS, HISTORY = "table", "featured_run", "featured", "tsne", "networks", "history"
MWU, CORRELATIONS, PER_NETWORK = "mann_whitney", "correlations", "per_network_correlations"
SELECTIVITY, INTERACTIONS, GAINS = "selectivity", "pair_interactions", "class_gains"
SEMANTICS_TABLE, SEMANTICS_RANKINGS = "semantics_table", "semantics_rankings"
STUDY = "MNIST MLP"  # the study label of its report entries
# The report's categories, numbered in reading order across both studies (ablation.core.figure_spec).
INTACT_NETWORK, SINGLES, WEIGHTS = ("03 MNIST: intact network", "04 MNIST: single-unit ablations",
                                    "05 MNIST: weights and importance")
PAIRS, APPENDIX = "06 MNIST: pairwise ablations", "07 MNIST: appendix"
EXTRA, UNITS = "11 MNIST: beyond the paper", "12 MNIST: every unit (beyond the paper)"  # UNITS: one per layer
# mnist.analysis.shapley's tables (results/mnist/shapley/<name>.csv)
SHAPLEY_TABLES = ("values", "interactions", "games", "correlations")
SHAPLEY_VALUES, SHAPLEY_INTERACTIONS, _, SHAPLEY_CORRELATIONS = (f"shapley_{name}" for name in SHAPLEY_TABLES)
FEATURED_VIEW = (FEATURED, RUN, TSNE)
FIGURES = {
    "fig01_tsne": FigureSpec("Fig. 1", "t-SNE map of the test digits", (TSNE,), INTACT_NETWORK),
    "fig02_intact_network": FigureSpec("Fig. 2", "Intact network", (RUN, TSNE), INTACT_NETWORK),
    "fig03_largest_drop": FigureSpec("Fig. 3", "Largest overall drop", FEATURED_VIEW, SINGLES),
    "fig04_class_selective": FigureSpec("Fig. 4", "Class-selective unit", FEATURED_VIEW, SINGLES),
    "fig05_negligible": FigureSpec("Fig. 5", "Negligible unit", FEATURED_VIEW, SINGLES),
    "fig06_subset_selective": FigureSpec("Fig. 6", "Unit serving a subset of digits", FEATURED_VIEW, SINGLES),
    "fig07_largest_class_gain": FigureSpec("Fig. 7", "Largest class gain", FEATURED_VIEW, SINGLES),
    "fig08_weights_before_after": FigureSpec("Fig. 8", "Weights before and after training", (NETWORKS, MWU), WEIGHTS),
    "fig09_weight_change_vs_drop": FigureSpec("Fig. 9", "Weight change against drop", (MWU, CORRELATIONS), WEIGHTS),
    "fig10_coefficient_distribution": FigureSpec("Fig. 10", "Coefficients per network", (PER_NETWORK,), WEIGHTS),
    "fig11_class_selectivity": FigureSpec("Fig. 11", "Class selectivity", (SELECTIVITY,), WEIGHTS),
    "fig12_super_additive_pair": FigureSpec("Fig. 12", "Super-additive pair", FEATURED_VIEW, PAIRS),
    "fig13_positive_synergy_pair": FigureSpec("Fig. 13", "Positive synergy pair", FEATURED_VIEW, PAIRS),
    "figA1_second_many_classes": FigureSpec("Fig. A.1", "Second unit serving many classes", FEATURED_VIEW, APPENDIX),
    "figA2_negligible_set": FigureSpec("Fig. A.2", "All negligible units together", FEATURED_VIEW, APPENDIX),
    "figA3_pair_of_fig03_and_fig04": FigureSpec("Fig. A.3", "Units of Figs. 3 and 4 together", FEATURED_VIEW, APPENDIX),
    "figA4_singles_of_fig13": FigureSpec("Fig. A.4", "Units of Fig. 13, each alone", (FEATURED, RUN), APPENDIX),
    "extra_drop_heatmap": FigureSpec(None, "Class drops of every unit", (TABLE,), EXTRA),
    "extra_pair_matrix": FigureSpec(None, "Every pair of hidden layer 1", (INTERACTIONS,), EXTRA),
    "extra_class_gains": FigureSpec(None, "Class gains, tested", (GAINS,), EXTRA),
    "extra_training": FigureSpec(None, "Training history", (HISTORY,), EXTRA),
    "extra_mnist_semantics": FigureSpec(None, "Ablation semantics compared",
                                        (SEMANTICS_TABLE, SEMANTICS_RANKINGS), EXTRA),
    "extra_shapley_vs_single_drop": FigureSpec(None, "Shapley value against single drop",
                        (SHAPLEY_VALUES, SHAPLEY_CORRELATIONS), EXTRA),
    "extra_shapley_vs_weight_change": FigureSpec(None, "Shapley value against weight change",
                        (SHAPLEY_VALUES, MWU, SHAPLEY_CORRELATIONS), EXTRA),
    "extra_shapley_interactions": FigureSpec(None, "Pair interaction against Shapley interaction",
                        (SHAPLEY_INTERACTIONS, SHAPLEY_CORRELATIONS), EXTRA),
    "extra_shapley_class_heatmap": FigureSpec(None, "Shapley values per class", (SHAPLEY_VALUES,), EXTRA),
}
# The figures of mnist.analysis.shapley (made only when it is enabled).
SHAPLEY_FIGURES = [figure for figure, spec in FIGURES.items() if SHAPLEY_VALUES in spec.inputs
                   or SHAPLEY_INTERACTIONS in spec.inputs]
# Two sentences for every caption that shows ablation numbers (and the run summary): how they were evaluated
# (mnist.analysis.evaluation).
EVALUATION_NOTES = {
    "clean": "Numbers on the original test digits. The paper's ablation numbers were measured on digits its code had "
             "binarised (pixel > 10 becomes 255, else 0), its intact accuracy on the originals; "
             "mnist.analysis.evaluation: as_published reproduces that.",
    "as_published": "Numbers as the paper measured them: every ablation on the test digits binarised as the authors' "
                    "code left them (pixel > 10 becomes 255, else 0), the intact network on the original digits. "
                    "On the original digits alone (mnist.analysis.evaluation: clean) the drops differ; see the paper "
                    "comparison.",
}
